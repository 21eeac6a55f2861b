import request from 'supertest';
import { TestSamlIdp, type SpEndpoints } from '../test-support/saml-idp.js';
import { startSsoHarness, type SsoHarness, type TestTenant } from '../test-support/sso-harness.js';

describe('SAML single logout initiated by the IdP', () => {
  let h: SsoHarness;
  let acme: TestTenant;
  let idp: TestSamlIdp;
  let connection: { id: string; saml: SpEndpoints };

  beforeAll(async () => {
    h = await startSsoHarness();
    acme = await h.tenant('acme');
    idp = new TestSamlIdp('acme-slo');
    const admin = await h.tokenFor(acme, ['admin']);
    const res = await request(h.app)
      .post('/v1/sso/connections')
      .set('Host', acme.host)
      .set('Authorization', `Bearer ${admin}`)
      .send({ kind: 'saml', name: 'slo', metadataXml: idp.metadataXml(), settings: { allowIdpInitiated: true } });
    expect(res.status).toBe(201);
    connection = res.body as { id: string; saml: SpEndpoints };
  });

  afterAll(async () => {
    await h.close();
  });

  it('ends the session named by a signed LogoutRequest and answers the IdP with a LogoutResponse; a forged one changes nothing', async () => {
    const sp = connection.saml;
    const login = async (sessionIndex: string) => {
      const res = await request(h.app)
        .post(new URL(sp.acsUrl).pathname)
        .set('Host', acme.host)
        .type('form')
        .send({ SAMLResponse: await idp.response(sp, { nameId: 'lin@acme.test', attributes: { email: ['lin@acme.test'] }, sessionIndex }) });
      expect(res.status).toBe(200);
      return res.body as { refresh_token: string };
    };
    const ended = await login('_sess-a');
    const kept = await login('_sess-b');

    // A LogoutRequest signed by another key is refused and ends nothing.
    const forger = new TestSamlIdp('forger');
    const forged = new URL(forger.logoutRequestUrl(sp, 'lin@acme.test', '_sess-b'));
    const refused = await request(h.app).get(`${new URL(sp.sloUrl).pathname}${forged.search}`).set('Host', acme.host);
    expect(refused.status).toBe(401);

    const logout = new URL(idp.logoutRequestUrl(sp, 'lin@acme.test', '_sess-a'));
    const res = await request(h.app).get(`${new URL(sp.sloUrl).pathname}${logout.search}`).set('Host', acme.host);
    expect(res.status).toBe(302);
    expect(String(res.headers.location)).toMatch(new RegExp(`^${idp.sloUrl}\\?SAMLResponse=`));

    const refresh = (token: string) => request(h.app).post('/v1/auth/token').set('Host', acme.host).send({ grant_type: 'refresh_token', refresh_token: token });
    expect((await refresh(ended.refresh_token)).status).toBe(401);
    expect((await refresh(kept.refresh_token)).status).toBe(200);
    expect((await h.auditActions(acme)).map((a) => a.action)).toContain('sso.single_logout');
  });
});
