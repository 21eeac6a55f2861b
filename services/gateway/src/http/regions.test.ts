import request from 'supertest';
import { createTestTokenIssuer, uniqueSlug, type TestTokenIssuer } from '@mindbot/testing';
import { startGatewayHarness, type GatewayHarness } from '../testing/harness.js';

// Two regions, locally: two databases and two gateway processes' worth of parts. Every region's
// registry holds every tenant (as every cluster holds every Tenant object); data lives only at home.
describe('gateway: regions', () => {
  let issuer: TestTokenIssuer;
  let eu: GatewayHarness;
  let us: GatewayHarness;
  const euTenant = uniqueSlug('eu');
  const usTenant = uniqueSlug('us');
  const regionUrls = { 'eu-west': 'https://{tenant}.eu-west.mindbot.test', 'us-east': 'https://{tenant}.us-east.mindbot.test' };

  beforeAll(async () => {
    issuer = await createTestTokenIssuer();
    eu = await startGatewayHarness({ region: 'eu-west', issuer, regionUrls });
    us = await startGatewayHarness({ region: 'us-east', issuer, regionUrls });
    for (const h of [eu, us]) {
      await h.provision(euTenant, undefined, { region: 'eu-west', domains: [`${euTenant}.example`] });
      await h.provision(usTenant, undefined, { region: 'us-east' });
    }
  });

  afterAll(async () => {
    await eu.close();
    await us.close();
  });

  it('answers an API client of another region’s tenant with a 421 problem naming the regional base URL', async () => {
    const res = await request(us.app).get('/v1/branding').set('Host', `${euTenant}.localhost`).set('Accept', 'application/json');
    expect(res.status).toBe(421);
    expect(res.body).toMatchObject({ code: 'misdirected_request', region: 'eu-west', baseUrl: `https://${euTenant}.eu-west.mindbot.test` });
    expect(res.headers.location).toBe(`https://${euTenant}.eu-west.mindbot.test/v1/branding`);
    const post = await request(us.app).post('/v1/voice/sessions').set('Host', `${euTenant}.example`).send({});
    expect(post.status).toBe(421);
  });

  it('redirects a browser to the tenant’s regional URL, keeping the path and query', async () => {
    const res = await request(eu.app)
      .get('/v1/branding?x=1')
      .set('Host', `${usTenant}.localhost`)
      .set('Accept', 'text/html,application/xhtml+xml');
    expect(res.status).toBe(307);
    expect(res.headers.location).toBe(`https://${usTenant}.us-east.mindbot.test/v1/branding?x=1`);
  });

  it('writes each tenant’s data only in its own region', async () => {
    for (const [h, tenant] of [
      [eu, euTenant],
      [us, usTenant],
    ] as const) {
      const admin = await issuer.sign({ tenant, userId: 'usr_admin', roles: ['admin'] });
      const created = await request(h.app)
        .post('/v1/api-keys')
        .set('Host', `${tenant}.localhost`)
        .set('Authorization', `Bearer ${admin}`)
        .send({ name: 'ci', permissions: ['voice:sessions'] });
      expect(created.status).toBe(201);
    }
    // Through the wrong region nothing is written.
    const admin = await issuer.sign({ tenant: euTenant, userId: 'usr_admin', roles: ['admin'] });
    expect(
      (
        await request(us.app)
          .post('/v1/api-keys')
          .set('Host', `${euTenant}.localhost`)
          .set('Authorization', `Bearer ${admin}`)
          .send({ name: 'x', permissions: ['voice:sessions'] })
      ).status,
    ).toBe(421);

    const schemasIn = async (h: GatewayHarness) =>
      (await h.deps.pool.query<{ nspname: string }>("SELECT nspname FROM pg_namespace WHERE nspname LIKE 't\\_%'")).rows
        .map((r) => r.nspname)
        .sort();
    expect(await schemasIn(eu)).toEqual([`t_${euTenant.replaceAll('-', '_')}`]);
    expect(await schemasIn(us)).toEqual([`t_${usTenant.replaceAll('-', '_')}`]);
    const keysIn = (h: GatewayHarness, tenant: string) => h.deps.tenants.forTenant(tenant).transaction((tx) => tx.apiKey.count());
    expect(await keysIn(eu, euTenant)).toBe(1);
    expect(await keysIn(us, usTenant)).toBe(1);
  });
});
