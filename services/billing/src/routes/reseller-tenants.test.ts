import request from 'supertest';
import { MigrationRunner } from '@mindbot/db';
import { TenantProvisioner } from '@mindbot/provisioning';
import { resellerTenantListSchema } from '@mindbot/sdk/schemas';
import { testManifest, uniqueSlug } from '@mindbot/testing';
import { startBillingHarness, type BillingHarness } from '../testing/harness.js';

// Resellers (tenants named as `parentReseller` in other tenants' manifests) see their own children,
// each with its usage and revenue, and nobody else's.

interface Child {
  slug: string;
  origin: string;
  consoleUrl: string;
  sessions: number | null;
  seconds: number | null;
  revenueCents: number | null;
}

describe('billing: a reseller’s child tenants with their usage and revenue', () => {
  let h: BillingHarness;
  let resellerOne = '';
  let resellerTwo = '';
  let kidA = '';
  let kidB = '';
  let kidC = '';
  let farKid = '';
  const today = new Date().toISOString().slice(0, 10);
  const range = `from=${today}&to=${today}`;
  const adminOf = async (tenant: string) => `Bearer ${await h.token(tenant, 'usr_admin', ['admin'])}`;
  const list = async (tenant: string, query = range) =>
    request(h.app)
      .get(`/v1/reseller/tenants?${query}`)
      .set('Authorization', await adminOf(tenant));

  const call = async (tenant: string, userId: string, seconds: number) => {
    await h.grant(tenant, userId, 'pkg_starter');
    const started = await h.internal(tenant).post('/sessions', { userId, startKey: `reseller-${tenant}-${userId}` });
    h.clock.advance(seconds + 5);
    const ended = await h.internal(tenant).post(`/sessions/${started.body.sessionId as string}/end`, { elapsedSeconds: seconds });
    expect(ended.body).toMatchObject({ status: 'ended', chargedSeconds: seconds });
  };

  /** What the child's own ledger and by-day report say about today. */
  const ownFigures = async (tenant: string) => {
    const [ledger] = await h.deps.tenants
      .forTenant(tenant)
      .transaction(
        (tx) =>
          tx.$queryRaw<{ seconds: number }[]>`SELECT COALESCE(-sum(seconds), 0)::int AS seconds FROM ledger_entries WHERE kind = 'usage'`,
      );
    const report = await request(h.app)
      .get(`/v1/admin/reports?${range}`)
      .set('Authorization', await adminOf(tenant));
    const [day] = report.body.usage as { sessions: number; usageSeconds: number }[];
    const gross = (report.body.revenue as { currency: string; grossCents: number }[]).filter((r) => r.currency === 'usd');
    return {
      ledgerSeconds: ledger?.seconds,
      sessions: day?.sessions,
      seconds: day?.usageSeconds,
      revenueCents: gross.reduce((a, r) => a + r.grossCents, 0),
    };
  };

  beforeAll(async () => {
    h = await startBillingHarness({ trustProxy: true });
    resellerOne = await h.addTenant('res-one');
    resellerTwo = await h.addTenant('res-two');
    kidA = await h.addTenant('kid-a', { parentReseller: resellerOne });
    kidB = await h.addTenant('kid-b', { parentReseller: resellerOne });
    kidC = await h.addTenant('kid-c', { parentReseller: resellerTwo });
    // A child at home in another region: listed, its figures are that region's to tell.
    farKid = uniqueSlug('kid-z');
    const provisioner = new TenantProvisioner({
      pool: h.deps.pool,
      platform: h.deps.platform,
      migrations: await MigrationRunner.load(h.deps.pool),
      region: 'eu-west',
      actor: 'test',
    });
    await provisioner.provision(testManifest(farKid, { region: 'us-east', parentReseller: resellerOne }));
    await call(kidA, 'usr_kid_a', 40);
    await call(kidB, 'usr_kid_b', 25);
    await call(kidC, 'usr_kid_c', 10);
    // The reseller's own activity is its own report's, not a child's.
    await call(resellerOne, 'usr_reseller', 300);
  }, 240_000);

  afterAll(async () => {
    await h.close();
  });

  it('lists only its own children, each with figures matching its ledger and its own report', async () => {
    const res = await list(resellerOne);
    expect(res.status).toBe(200);
    const body = resellerTenantListSchema.parse(res.body);
    expect(body.tenants.map((t) => t.slug)).toEqual([kidA, kidB, farKid]);
    expect(body).toMatchObject({ from: today, to: today, nextCursor: null });
    expect(body.tenants[0]).toEqual({
      slug: kidA,
      displayName: `Test ${kidA}`,
      region: 'eu-west',
      status: 'active',
      origin: `https://${kidA}.mindbot.test`,
      consoleUrl: `https://${kidA}.mindbot.test/console/`,
      sessions: 1,
      seconds: 40,
      revenueCents: 999,
      currency: 'usd',
    });
    for (const child of body.tenants.slice(0, 2)) {
      const own = await ownFigures(child.slug);
      expect({ slug: child.slug, sessions: child.sessions, seconds: child.seconds, revenueCents: child.revenueCents }).toEqual({
        slug: child.slug,
        sessions: own.sessions,
        seconds: own.ledgerSeconds,
        revenueCents: own.revenueCents,
      });
      expect(own.seconds).toBe(own.ledgerSeconds);
    }
    expect(body.tenants[2]).toMatchObject({ slug: farKid, region: 'us-east', sessions: null, seconds: null, revenueCents: null });

    const two = resellerTenantListSchema.parse((await list(resellerTwo)).body);
    expect(two.tenants).toEqual([expect.objectContaining({ slug: kidC, sessions: 1, seconds: 10, revenueCents: 999 })]);
    expect(two.tenants[0]?.seconds).toBe((await ownFigures(kidC)).ledgerSeconds);
  });

  it('gives a tenant that resells to no one, and a child asking, an empty list', async () => {
    for (const tenant of [h.tenantA, kidA, kidC]) {
      const res = await list(tenant);
      expect([tenant, res.status, res.body.tenants]).toEqual([tenant, 200, []]);
    }
  });

  it('builds origins and console URLs from where the caller reached the platform', async () => {
    const res = await request(h.app)
      .get(`/v1/reseller/tenants?${range}`)
      .set('Authorization', await adminOf(resellerOne))
      .set('X-Forwarded-Host', `${resellerOne}.mindbot.test:8443`)
      .set('X-Forwarded-Proto', 'http');
    const [first] = res.body.tenants as Child[];
    expect(first).toMatchObject({ origin: `http://${kidA}.mindbot.test:8443`, consoleUrl: `http://${kidA}.mindbot.test:8443/console/` });
  });

  it('pages by slug with limit and cursor', async () => {
    const first = await list(resellerOne, `${range}&limit=2`);
    expect((first.body.tenants as Child[]).map((t) => t.slug)).toEqual([kidA, kidB]);
    expect(first.body.nextCursor).toBe(kidB);
    const rest = await list(resellerOne, `${range}&limit=2&cursor=${kidB}`);
    expect((rest.body.tenants as Child[]).map((t) => t.slug)).toEqual([farKid]);
    expect(rest.body.nextCursor).toBeNull();
  });

  it('refuses a bad range with 400 naming the field', async () => {
    for (const [query, field] of [
      [`from=${today}&to=2020-01-01`, 'query.to'],
      ['from=someday&to=2026-01-01', 'query.from'],
      [`${range}&limit=101`, 'query.limit'],
      [`${range}&tenant=${kidC}`, 'query'],
    ] as const) {
      const res = await list(resellerOne, query);
      expect([query, res.status]).toEqual([query, 400]);
      expect((res.body.errors as { path: string }[]).map((e) => e.path)).toContain(field);
    }
  });

  it('is for the reseller’s admins only: a member gets 403, an anonymous caller 401', async () => {
    const member = `Bearer ${await h.token(resellerOne, 'usr_member', ['member'])}`;
    expect((await request(h.app).get(`/v1/reseller/tenants?${range}`).set('Authorization', member)).status).toBe(403);
    expect((await request(h.app).get(`/v1/reseller/tenants?${range}`)).status).toBe(401);
  });
});
