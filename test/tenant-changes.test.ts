import request from 'supertest';
import { startSsoHarness, type SsoHarness } from '@mindbot/sso/testing/sso-harness';
import { uniqueSlug } from '@mindbot/testing';
import { startBillingProcess, type BillingProcess } from '../services/gateway/src/testing/billing-process.js';
import { BILLING_SERVICE_TOKEN, startGatewayHarness, type GatewayHarness } from '../services/gateway/src/testing/harness.js';

// The gateway and SSO in process and billing in a process of its own, each built as it is in
// production (ServiceDeps: one registry reader per process, its cache kept current by Postgres
// notifications), on one platform registry. A tenant changed there is answered accordingly by every
// one of them within a second, though each had just cached the tenant as it was
// (docs/adr/0052-one-tenant-registry-reader.md).

interface Answer {
  status: number;
  code: unknown;
}

describe('a tenant changed in the registry is seen by every service within a second', () => {
  let gateway: GatewayHarness;
  let sso: SsoHarness;
  let billing: BillingProcess;

  beforeAll(async () => {
    gateway = await startGatewayHarness();
    sso = await startSsoHarness({ database: gateway.database });
    billing = await startBillingProcess({ databaseUrl: gateway.database.url, issuer: gateway.issuer });
    await sso.deps.registry.ready();
    await listening('mindbot-billing-listener');
  }, 120_000);

  afterAll(async () => {
    await billing.stop();
    await sso.close();
    await gateway.close();
  });

  /** Until the named process's registry connection is LISTENing (billing's, in its own process). */
  async function listening(applicationName: string): Promise<void> {
    const started = Date.now();
    for (;;) {
      const { rows } = await gateway.deps.pool.query<{ n: number }>(
        "SELECT count(*)::int AS n FROM pg_stat_activity WHERE application_name = $1 AND datname = current_database() AND query LIKE 'LISTEN %'",
        [applicationName],
      );
      if ((rows[0]?.n ?? 0) > 0) return;
      if (Date.now() - started > 30_000) throw new Error(`${applicationName} is not listening`);
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }

  const atGateway = async (slug: string): Promise<Answer> => {
    const res = await request(gateway.app).get('/v1/branding').set('Host', `${slug}.localhost`);
    return { status: res.status, code: (res.body as { code?: unknown }).code };
  };
  const atSso = async (slug: string): Promise<Answer> => {
    const res = await request(sso.app).get('/v1/auth/me').set('Host', `${slug}.localhost`);
    return { status: res.status, code: (res.body as { code?: unknown }).code };
  };
  const atBilling = async (slug: string): Promise<Answer> => {
    const token = await gateway.issuer.sign({ tenant: slug, userId: 'usr_member', roles: ['member'] });
    const res = await fetch(`${billing.url}/v1/balance`, { headers: { authorization: `Bearer ${token}` } });
    return { status: res.status, code: ((await res.json()) as { code?: unknown }).code };
  };

  /** Milliseconds until `check` answers as `expected`; fails once a second has passed. */
  async function withinASecond(check: () => Promise<Answer>, expected: (answer: Answer) => boolean): Promise<number> {
    const start = Date.now();
    for (;;) {
      const answer = await check();
      if (expected(answer)) return Date.now() - start;
      if (Date.now() - start > 1_000) throw new Error(`still answered ${answer.status} ${String(answer.code)} after a second`);
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
  }

  it('refuses a tenant suspended in the registry (403 tenant_suspended) at the gateway, SSO and billing, and serves it again once resumed', async () => {
    const slug = uniqueSlug('change');
    await gateway.provision(slug);
    // Each service reads (and caches) the tenant as active first.
    expect(await atGateway(slug)).toMatchObject({ status: 200 });
    expect(await atSso(slug)).toMatchObject({ status: 401, code: 'unauthenticated' });
    expect(await atBilling(slug)).toMatchObject({ status: 200 });

    await gateway.provision(slug, undefined, { suspended: true });
    const suspended = (answer: Answer) => answer.status === 403 && answer.code === 'tenant_suspended';
    const times = await Promise.all([
      withinASecond(() => atGateway(slug), suspended),
      withinASecond(() => atSso(slug), suspended),
      withinASecond(() => atBilling(slug), suspended),
    ]);
    for (const ms of times) expect(ms).toBeLessThan(1_000);

    await gateway.provision(slug);
    await Promise.all([
      withinASecond(
        () => atGateway(slug),
        (a) => a.status === 200,
      ),
      withinASecond(
        () => atSso(slug),
        (a) => a.status === 401,
      ),
      withinASecond(
        () => atBilling(slug),
        (a) => a.status === 200,
      ),
    ]);
  });

  it('applies a changed plan value within a second: billing’s limit of sessions at once, the gateway’s request budget', async () => {
    const slug = uniqueSlug('plan');
    const manifest = await gateway.provision(slug, (m) => {
      m.spec.plan.concurrentSessions = 1;
      m.spec.plan.requestsPerMinute = 600;
    });
    for (const user of ['usr_first', 'usr_second']) await gateway.grantSeconds(slug, user, 600);
    const start = async (userId: string): Promise<Answer & { limit?: unknown }> => {
      const res = await fetch(`${billing.url}/internal/v1/tenants/${slug}/sessions`, {
        method: 'POST',
        headers: { authorization: `Bearer ${BILLING_SERVICE_TOKEN}`, 'content-type': 'application/json' },
        body: JSON.stringify({ userId, startKey: `start-${slug}-${userId}` }),
      });
      const body = (await res.json()) as { code?: unknown; concurrentSessions?: unknown };
      return { status: res.status, code: body.code, limit: body.concurrentSessions };
    };
    const policy = async () =>
      String((await request(gateway.app).get('/v1/branding').set('Host', `${slug}.localhost`)).headers['ratelimit-policy']);

    expect((await start('usr_first')).status).toBe(201);
    expect(await start('usr_second')).toMatchObject({ status: 429, code: 'rate_limited', limit: 1 });
    expect(await policy()).toBe('600;w=60');

    manifest.spec.plan.concurrentSessions = 2;
    manifest.spec.plan.requestsPerMinute = 900;
    await gateway.provisioner.provision(manifest);
    const [billingMs, gatewayMs] = await Promise.all([
      withinASecond(
        () => start('usr_second'),
        (a) => a.status === 201,
      ),
      withinASecond(
        async () => ({ status: 200, code: await policy() }),
        (a) => a.code === '900;w=60',
      ),
    ]);
    expect(billingMs).toBeLessThan(1_000);
    expect(gatewayMs).toBeLessThan(1_000);
  });
});
