import request from 'supertest';
import { startTestDns, type TestDns } from '@mindbot/testing/test-dns';
import { startSsoHarness, type SsoHarness, type TestTenant } from '../testing/sso-harness.js';

describe('email domains proven by a DNS TXT record route logins to a connection', () => {
  let h: SsoHarness;
  let acme: TestTenant;
  let globex: TestTenant;
  let dns: TestDns;

  beforeAll(async () => {
    dns = await startTestDns();
    h = await startSsoHarness({ env: { SSO_DNS_SERVERS: dns.server } });
    acme = await h.tenant('acme');
    globex = await h.tenant('globex');
  });

  afterAll(async () => {
    await h.close();
    await dns.close();
  });

  async function oidcConnection(tenant: TestTenant, admin: string): Promise<string> {
    const res = await request(h.app)
      .post('/v1/sso/connections')
      .set('Host', tenant.host)
      .set('Authorization', `Bearer ${admin}`)
      .send({
        kind: 'oidc',
        name: 'corp',
        settings: { issuer: 'https://idp.corp.test', clientId: 'c' },
        secrets: { clientSecret: 's3cret-value' },
      });
    expect(res.status).toBe(201);
    return res.body.id as string;
  }

  it('verifies a domain once its TXT record is published, then discovers the connection by email', async () => {
    const admin = await h.tokenFor(acme, ['admin']);
    const connectionId = await oidcConnection(acme, admin);
    const claimed = await request(h.app)
      .post('/v1/sso/domains')
      .set('Host', acme.host)
      .set('Authorization', `Bearer ${admin}`)
      .send({ domain: 'Corp.Example', connectionId });
    expect(claimed.status).toBe(201);
    expect(claimed.body).toMatchObject({
      domain: 'corp.example',
      verified: false,
      txtRecord: { name: '_mindbot-verification.corp.example' },
    });

    // Not verified yet: email discovery does not route, verification fails with the record name.
    expect((await request(h.app).get('/v1/sso/login').query({ email: 'ann@corp.example' }).set('Host', acme.host)).status).toBe(404);
    const early = await request(h.app)
      .post('/v1/sso/domains/corp.example/verify')
      .set('Host', acme.host)
      .set('Authorization', `Bearer ${admin}`);
    expect(early.status).toBe(422);

    dns.records.set('_mindbot-verification.corp.example', String(claimed.body.txtRecord.value));
    const verified = await request(h.app)
      .post('/v1/sso/domains/corp.example/verify')
      .set('Host', acme.host)
      .set('Authorization', `Bearer ${admin}`);
    expect(verified.status).toBe(200);
    expect(verified.body.verified).toBe(true);

    // Discovery now picks the connection: its IdP (none runs at idp.corp.test) is what the login tried to reach.
    const login = await request(h.app).get('/v1/sso/login').query({ email: 'ann@corp.example' }).set('Host', acme.host);
    expect(login.status).toBe(503);
    const last = (await h.auditActions(acme)).filter((a) => a.action === 'sso.login_refused').pop();
    expect(JSON.stringify(last?.data)).toContain('oidc_idp_unreachable');
    // Another tenant cannot use acme's domain to reach acme's connection.
    expect((await request(h.app).get('/v1/sso/login').query({ email: 'ann@corp.example' }).set('Host', globex.host)).status).toBe(404);
  });

  it("refuses a TXT record with the wrong value, domain management without the admin role, and another tenant's domain", async () => {
    const admin = await h.tokenFor(acme, ['admin']);
    const claimed = await request(h.app)
      .post('/v1/sso/domains')
      .set('Host', acme.host)
      .set('Authorization', `Bearer ${admin}`)
      .send({ domain: 'wrong.example' });
    expect(claimed.status).toBe(201);
    dns.records.set('_mindbot-verification.wrong.example', 'mindbot-verification=not-the-token');
    expect(
      (await request(h.app).post('/v1/sso/domains/wrong.example/verify').set('Host', acme.host).set('Authorization', `Bearer ${admin}`))
        .status,
    ).toBe(422);
    const member = await h.tokenFor(acme, ['member']);
    expect(
      (
        await request(h.app)
          .post('/v1/sso/domains')
          .set('Host', acme.host)
          .set('Authorization', `Bearer ${member}`)
          .send({ domain: 'x.example' })
      ).status,
    ).toBe(403);
    expect((await request(h.app).post('/v1/sso/domains').set('Host', acme.host).send({ domain: 'x.example' })).status).toBe(401);
    const globexAdmin = await h.tokenFor(globex, ['admin']);
    expect(
      (
        await request(h.app)
          .post('/v1/sso/domains/wrong.example/verify')
          .set('Host', globex.host)
          .set('Authorization', `Bearer ${globexAdmin}`)
      ).status,
    ).toBe(404);
    const bad = await request(h.app)
      .post('/v1/sso/domains')
      .set('Host', acme.host)
      .set('Authorization', `Bearer ${admin}`)
      .send({ domain: 'not a domain' });
    expect(bad.status).toBe(400);
    expect(bad.body.errors[0].path).toBe('body.domain');
  });
});
