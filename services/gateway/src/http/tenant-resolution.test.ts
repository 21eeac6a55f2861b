import request from 'supertest';
import { uniqueSlug } from '@mindbot/testing';
import { startGatewayHarness, type GatewayHarness } from '../testing/harness.js';

async function eventually(check: () => Promise<boolean>, timeoutMs = 5_000): Promise<number> {
  const started = Date.now();
  for (;;) {
    if (await check()) return Date.now() - started;
    if (Date.now() - started > timeoutMs) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 50));
  }
}

describe('gateway: the tenant comes from the verified host', () => {
  let h: GatewayHarness;
  let acme: string;
  let domainTenant: string;
  let domain: string;

  beforeAll(async () => {
    h = await startGatewayHarness();
    acme = uniqueSlug('acme');
    domainTenant = uniqueSlug('dom');
    domain = `voice.${domainTenant}.example`;
    await h.provision(acme);
    await h.provision(domainTenant, undefined, { domains: [domain] });
  });

  afterAll(async () => {
    await h.close();
  });

  it('serves a tenant at <slug>.<base domain> and at its own domain', async () => {
    const bySlug = await request(h.app).get('/v1/branding').set('Host', `${acme}.localhost`);
    expect(bySlug.status).toBe(200);
    expect(bySlug.body.tenant).toBe(acme);
    const byDomain = await request(h.app).get('/v1/branding').set('Host', `${domain}:443`);
    expect(byDomain.status).toBe(200);
    expect(byDomain.body.tenant).toBe(domainTenant);
  });

  it('answers 404 for a host no tenant uses, and 400 for a host that is not a host name', async () => {
    const unknown = await request(h.app).get('/v1/branding').set('Host', 'nobody-here.localhost');
    expect(unknown.status).toBe(404);
    expect(unknown.body.code).toBe('not_found');
    const bogus = await request(h.app).get('/v1/branding').set('Host', 'bad_host!');
    expect(bogus.status).toBe(400);
  });

  it('ignores X-Forwarded-Host from a client that is not a trusted proxy', async () => {
    const res = await request(h.app).get('/v1/branding').set('Host', `${acme}.localhost`).set('X-Forwarded-Host', domain);
    expect(res.status).toBe(200);
    expect(res.body.tenant).toBe(acme);
  });

  it('honours X-Forwarded-Host from a trusted proxy (TRUST_PROXY=loopback)', async () => {
    const trusted = await startGatewayHarness({ database: h.database, trustProxy: 'loopback' });
    try {
      const res = await request(trusted.app).get('/v1/branding').set('Host', 'internal-lb.localhost').set('X-Forwarded-Host', domain);
      expect(res.status).toBe(200);
      expect(res.body.tenant).toBe(domainTenant);
    } finally {
      await trusted.close();
    }
  });

  it('refuses a token of another tenant on this host, and a forged token, before anything else', async () => {
    const other = await h.token(domainTenant, 'usr_other', ['owner']);
    const res = await request(h.app).get('/v1/api-keys').set('Host', `${acme}.localhost`).set('Authorization', `Bearer ${other}`);
    expect(res.status).toBe(401);
    expect(res.body.code).toBe('unauthenticated');
    const forged = `${(await h.token(acme, 'usr_x', ['owner'])).slice(0, -4)}AAAA`;
    expect(
      (await request(h.app).get('/v1/api-keys').set('Host', `${acme}.localhost`).set('Authorization', `Bearer ${forged}`)).status,
    ).toBe(401);
    const expired = await h.issuer.sign({ tenant: acme, roles: ['owner'] }, { expiresInSeconds: -120 });
    expect(
      (await request(h.app).get('/v1/api-keys').set('Host', `${acme}.localhost`).set('Authorization', `Bearer ${expired}`)).status,
    ).toBe(401);
    expect(h.log.lines.some((l) => l.msg === 'refused a token of another tenant' && l.tokenTenant === domainTenant)).toBe(true);
  });

  it('serves a new tenant, a suspension and a new domain within seconds, without a restart (LISTEN/NOTIFY)', async () => {
    const late = uniqueSlug('late');
    expect((await request(h.app).get('/v1/branding').set('Host', `${late}.localhost`)).status).toBe(404);
    await h.provision(late);
    const servedAfter = await eventually(
      async () => (await request(h.app).get('/v1/branding').set('Host', `${late}.localhost`)).status === 200,
    );
    expect(servedAfter).toBeLessThan(3_000);

    await h.provision(late, undefined, { suspended: true });
    await eventually(async () => (await request(h.app).get('/v1/branding').set('Host', `${late}.localhost`)).status === 403);
    const suspended = await request(h.app).get('/v1/branding').set('Host', `${late}.localhost`);
    expect(suspended.body.code).toBe('tenant_suspended');
    expect(suspended.headers['content-type']).toMatch(/application\/problem\+json/);

    const newDomain = `chat.${late}.example`;
    expect((await request(h.app).get('/v1/branding').set('Host', newDomain)).status).toBe(404);
    await h.provision(late, undefined, { domains: [newDomain] });
    await eventually(async () => (await request(h.app).get('/v1/branding').set('Host', newDomain)).status === 200);
  });

  it('keeps invalidating after the listener connection is killed (it reconnects by itself)', async () => {
    const killed = await h.deps.pool.query<{ killed: boolean }>(
      "SELECT pg_terminate_backend(pid) AS killed FROM pg_stat_activity WHERE application_name = 'mindbot-gateway-listener' AND datname = current_database()",
    );
    expect(killed.rows.length).toBeGreaterThanOrEqual(1);
    await eventually(() => Promise.resolve(h.log.lines.some((l) => l.msg === 'registry listener reconnected')));
    const slug = uniqueSlug('after');
    expect((await request(h.app).get('/v1/branding').set('Host', `${slug}.localhost`)).status).toBe(404);
    await h.provision(slug);
    await eventually(async () => (await request(h.app).get('/v1/branding').set('Host', `${slug}.localhost`)).status === 200, 3_000);
  });
});
