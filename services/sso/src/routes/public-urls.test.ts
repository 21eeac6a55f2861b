import type { Express } from 'express';
import request from 'supertest';
import { createSsoApp } from '../app.js';
import { TestSamlIdp } from '@mindbot/testing/saml-idp';
import { startSsoHarness, type SsoHarness, type TestTenant } from '../testing/sso-harness.js';

interface ConnectionView {
  oidc?: { redirectUri: string };
  saml?: { entityId: string; acsUrl: string; sloUrl: string; metadataUrl: string };
}

// SSO on its own, as the gateway (or a client) reaches it: the URLs it hands out are built from the
// scheme, host and port of the request, read through TRUST_PROXY, with SSO_PUBLIC_SCHEME=https forcing https.
describe('SSO builds the URLs it hands out from where the request reached the platform', () => {
  let h: SsoHarness;
  let acme: TestTenant;
  let other: TestTenant;
  let admin: string;
  let oidcId: string;
  let samlId: string;
  /** The same SSO trusting its loopback peer (the gateway) as TRUST_PROXY=loopback does. */
  let behindGateway: Express;
  /** The same SSO with SSO_PUBLIC_SCHEME=https. */
  let httpsOnly: Express;

  const read = async (app: Express, id: string, headers: Record<string, string>) => {
    const res = await request(app)
      .get(`/v1/sso/connections/${id}`)
      .set({ Authorization: `Bearer ${admin}`, ...headers });
    expect(res.status).toBe(200);
    return res.body as ConnectionView;
  };

  beforeAll(async () => {
    h = await startSsoHarness();
    acme = await h.tenant('urls');
    other = await h.tenant('urls-other');
    admin = await h.tokenFor(acme, ['admin']);
    const create = async (body: Record<string, unknown>) => {
      const res = await request(h.app)
        .post('/v1/sso/connections')
        .set({ Host: acme.host, Authorization: `Bearer ${admin}` })
        .send(body);
      expect(res.status).toBe(201);
      return (res.body as { id: string }).id;
    };
    oidcId = await create({
      kind: 'oidc',
      name: 'corp',
      settings: { issuer: 'https://idp.corp.test', clientId: 'client-1' },
      secrets: { clientSecret: 'oidc-client-secret-value-42' },
    });
    samlId = await create({ kind: 'saml', name: 'adfs', metadataXml: new TestSamlIdp('urls').metadataXml() });
    behindGateway = createSsoApp({ ...h.deps, trustProxy: 'loopback' }, h.sso);
    httpsOnly = createSsoApp(h.deps, { ...h.sso, config: { ...h.sso.config, SSO_PUBLIC_SCHEME: 'https' } });
  });

  afterAll(async () => {
    await h.close();
  });

  it('keeps the port of the Host header in the OIDC redirect URI, the SAML endpoints and the metadata', async () => {
    const origin = `http://${acme.host}:8080`;
    expect((await read(h.app, oidcId, { Host: `${acme.host}:8080` })).oidc?.redirectUri).toBe(`${origin}/v1/sso/oidc/${oidcId}/callback`);
    const saml = `${origin}/v1/sso/saml/${samlId}`;
    expect((await read(h.app, samlId, { Host: `${acme.host}:8080` })).saml).toEqual({
      entityId: saml,
      acsUrl: `${saml}/acs`,
      sloUrl: `${saml}/slo`,
      metadataUrl: `${saml}/metadata`,
    });
    const metadata = await request(h.app).get(`/v1/sso/saml/${samlId}/metadata`).set('Host', `${acme.host}:8080`);
    expect(metadata.status).toBe(200);
    expect(metadata.text).toContain(`entityID="${saml}"`);
    expect(metadata.text).toContain(`Location="${saml}/acs"`);
  });

  it('does not use X-Forwarded-Host or X-Forwarded-Proto from a peer TRUST_PROXY does not trust', async () => {
    const view = await read(h.app, oidcId, {
      Host: `${acme.host}:8080`,
      'X-Forwarded-Host': `${other.host}:4444`,
      'X-Forwarded-Proto': 'https',
    });
    expect(view.oidc?.redirectUri).toBe(`http://${acme.host}:8080/v1/sso/oidc/${oidcId}/callback`);
  });

  it('takes scheme, host and port from the trusted gateway, dropping only the default port', async () => {
    const tls = await read(behindGateway, oidcId, {
      Host: '127.0.0.1:8082',
      'X-Forwarded-Host': `${acme.host}:8443`,
      'X-Forwarded-Proto': 'https',
    });
    expect(tls.oidc?.redirectUri).toBe(`https://${acme.host}:8443/v1/sso/oidc/${oidcId}/callback`);
    const standard = await read(behindGateway, samlId, {
      Host: '127.0.0.1:8082',
      'X-Forwarded-Host': `${acme.host}:443`,
      'X-Forwarded-Proto': 'https',
    });
    expect(standard.saml?.acsUrl).toBe(`https://${acme.host}/v1/sso/saml/${samlId}/acs`);
  });

  it('answers https URLs under SSO_PUBLIC_SCHEME=https even when the request arrived as plain http', async () => {
    expect((await read(httpsOnly, oidcId, { Host: acme.host })).oidc?.redirectUri).toBe(
      `https://${acme.host}/v1/sso/oidc/${oidcId}/callback`,
    );
  });

  it('lets a sign-in return to the https origin it came in on, port included, and to no other port', async () => {
    const start = (returnTo: string) =>
      request(behindGateway)
        .get('/v1/sso/login')
        .query({ connection: samlId, returnTo })
        .set({ Host: '127.0.0.1:8082', 'X-Forwarded-Host': `${acme.host}:8443`, 'X-Forwarded-Proto': 'https' });
    const accepted = await start(`https://${acme.host}:8443/app`);
    expect(accepted.status).toBe(302);
    expect(accepted.headers.location).toMatch(/SAMLRequest=/);
    expect((await start(`https://${acme.host}:9443/app`)).status).toBe(400);
    expect((await start(`http://${acme.host}:8443/app`)).status).toBe(400);
  });
});
