import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import request from 'supertest';
import { startOidcIdp, type TestOidcIdp } from '@mindbot/testing/oidc-idp';
import { TestSamlIdp } from '@mindbot/testing/saml-idp';
import { startSsoHarness, type SsoHarness, type TestTenant } from '../testing/sso-harness.js';

// "Test connection" and "fetch the IdP's metadata by URL" (issue 14, the console's identity page):
// SSO loads the OIDC discovery document and JWKS, or a SAML IdP's metadata, and says what it found;
// it fetches only from public https addresses unless SSO_ALLOW_INSECURE_IDP_URLS (tests, local) says so.

interface Check {
  check: string;
  ok: boolean;
  detail: string;
}

describe('testing a connection and fetching IdP metadata by URL', () => {
  let h: SsoHarness;
  let acme: TestTenant;
  let globex: TestTenant;
  let oidcIdp: TestOidcIdp;
  let saml: TestSamlIdp;
  let otherSaml: TestSamlIdp;
  let files: Server;
  let filesOrigin: string;
  let admin: string;

  beforeAll(async () => {
    h = await startSsoHarness();
    acme = await h.tenant('acme');
    globex = await h.tenant('globex');
    oidcIdp = await startOidcIdp({ accounts: {}, clients: [] });
    saml = new TestSamlIdp('acme');
    otherSaml = new TestSamlIdp('other');
    const served: Record<string, string> = { '/saml/metadata.xml': saml.metadataXml(), '/other/metadata.xml': otherSaml.metadataXml() };
    files = createServer((req, res) => {
      const body = served[req.url ?? ''];
      if (body === undefined) res.writeHead(404).end('not here');
      else res.writeHead(200, { 'content-type': 'application/samlmetadata+xml' }).end(body);
    });
    await new Promise<void>((resolve) => files.listen(0, '127.0.0.1', resolve));
    filesOrigin = `http://127.0.0.1:${(files.address() as AddressInfo).port}`;
    admin = await h.tokenFor(acme, ['admin']);
  });

  afterAll(async () => {
    await oidcIdp.close();
    files.closeAllConnections();
    await new Promise<void>((resolve) => files.close(() => resolve()));
    await h.close();
  });

  const as = (tenant: TestTenant, token: string) => ({ Host: tenant.host, Authorization: `Bearer ${token}` });
  const oidcConnection = async (name: string, issuer: string, idTokenAlgorithm = 'RS256') => {
    const res = await request(h.app)
      .post('/v1/sso/connections')
      .set(as(acme, admin))
      .send({
        kind: 'oidc',
        name,
        settings: { issuer, clientId: 'console', idTokenAlgorithm },
        secrets: { clientSecret: 'a-client-secret-0123456789' },
      });
    expect(res.status).toBe(201);
    return res.body.id as string;
  };
  const test = (id: string, body: Record<string, unknown> = {}, tenant = acme, token = admin) =>
    request(h.app).post(`/v1/sso/connections/${id}/test`).set(as(tenant, token)).send(body);
  const checksOf = (res: request.Response) => (res.body as { checks: Check[] }).checks;

  it('passes an OIDC connection whose discovery document, algorithm and keys load from the IdP', async () => {
    const id = await oidcConnection('corp', oidcIdp.issuer);
    const res = await test(id);
    expect(res.status).toBe(200);
    expect(res.body.ok).toBe(true);
    expect(checksOf(res).map((c) => [c.check, c.ok])).toEqual([
      ['discovery', true],
      ['algorithm', true],
      ['jwks', true],
    ]);
    expect(checksOf(res)[0]?.detail).toContain(`issuer ${oidcIdp.issuer}`);
    expect(checksOf(res)[2]?.detail).toMatch(/signing key\(s\) for RS256/);
  });

  it('fails an OIDC connection whose issuer has no discovery document, or does not offer its algorithm', async () => {
    const missing = await test(await oidcConnection('nowhere', `${filesOrigin}/not-an-issuer`));
    expect(missing.status).toBe(200);
    expect(missing.body.ok).toBe(false);
    expect(checksOf(missing)).toEqual([{ check: 'discovery', ok: false, detail: expect.stringContaining('answered 404') as string }]);

    const wrongAlgorithm = await test(await oidcConnection('eddsa', oidcIdp.issuer, 'EdDSA'));
    expect(wrongAlgorithm.body.ok).toBe(false);
    expect(checksOf(wrongAlgorithm).find((c) => c.check === 'algorithm')).toMatchObject({
      ok: false,
      detail: expect.stringContaining('not EdDSA'),
    });
  });

  it('checks a SAML connection’s certificates, and its metadata URL when given one', async () => {
    const created = await request(h.app)
      .post('/v1/sso/connections')
      .set(as(acme, admin))
      .send({ kind: 'saml', name: 'corp-saml', metadataXml: saml.metadataXml() });
    expect(created.status).toBe(201);
    const id = created.body.id as string;

    const certificates = await test(id);
    expect(certificates.body.ok).toBe(true);
    expect(checksOf(certificates).every((c) => c.check === 'certificate' && c.ok)).toBe(true);

    const same = await test(id, { metadataUrl: `${filesOrigin}/saml/metadata.xml` });
    expect(same.body.ok).toBe(true);
    expect(checksOf(same).at(-1)).toMatchObject({ check: 'metadata', ok: true, detail: expect.stringContaining('matches the connection') });

    const other = await test(id, { metadataUrl: `${filesOrigin}/other/metadata.xml` });
    expect(other.body.ok).toBe(false);
    expect(checksOf(other).at(-1)).toMatchObject({
      check: 'metadata',
      ok: false,
      detail: expect.stringContaining('differs from the connection'),
    });
  });

  it('reads an IdP’s SAML metadata from its URL without saving anything, and says why unusable metadata is refused', async () => {
    const before = await h.deps.tenants.forTenant(acme.slug).transaction((tx) => tx.ssoConnection.count());
    const res = await request(h.app)
      .post('/v1/sso/idp-metadata')
      .set(as(acme, admin))
      .send({ url: `${filesOrigin}/saml/metadata.xml` });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({
      idpEntityId: expect.any(String),
      idpSsoUrl: expect.stringMatching(/^https?:\/\//),
      idpCertificates: [expect.any(String)],
    });
    expect(await h.deps.tenants.forTenant(acme.slug).transaction((tx) => tx.ssoConnection.count())).toBe(before);

    const notFound = await request(h.app)
      .post('/v1/sso/idp-metadata')
      .set(as(acme, admin))
      .send({ url: `${filesOrigin}/missing.xml` });
    expect(notFound.status).toBe(422);
    expect(notFound.body.detail).toContain('answered 404');
    const notUrl = await request(h.app).post('/v1/sso/idp-metadata').set(as(acme, admin)).send({ url: 'not a url' });
    expect(notUrl.status).toBe(400);
  });

  it('refuses members, strangers and another tenant’s connection', async () => {
    const id = await oidcConnection('private', oidcIdp.issuer);
    const member = await h.tokenFor(acme, ['member']);
    expect((await test(id, {}, acme, member)).status).toBe(403);
    expect((await request(h.app).post(`/v1/sso/connections/${id}/test`).set({ Host: acme.host }).send({})).status).toBe(401);
    const globexAdmin = await h.tokenFor(globex, ['admin']);
    expect((await test(id, {}, globex, globexAdmin)).status).toBe(404);
    expect(
      (
        await request(h.app)
          .post('/v1/sso/idp-metadata')
          .set(as(acme, member))
          .send({ url: `${filesOrigin}/saml/metadata.xml` })
      ).status,
    ).toBe(403);
  });
});

describe('fetching from an IdP in production (no SSO_ALLOW_INSECURE_IDP_URLS)', () => {
  let h: SsoHarness;
  let acme: TestTenant;
  let admin: string;

  beforeAll(async () => {
    h = await startSsoHarness({ env: { SSO_ALLOW_INSECURE_IDP_URLS: 'false' } });
    acme = await h.tenant('acme');
    admin = await h.tokenFor(acme, ['admin']);
  });

  afterAll(() => h.close());

  const fetchMetadata = (url: string) =>
    request(h.app)
      .post('/v1/sso/idp-metadata')
      .set({ Host: acme.host, Authorization: `Bearer ${admin}` })
      .send({ url });

  it('fetches only https from public addresses: plain http, loopback, private, link-local (cloud metadata) and names resolving to them are refused', async () => {
    const http = await fetchMetadata('http://idp.example/metadata.xml');
    expect(http.status).toBe(422);
    expect(http.body.detail).toContain('must be https');
    for (const url of [
      'https://127.0.0.1/metadata.xml',
      'https://10.1.2.3/metadata.xml',
      'https://169.254.169.254/latest/meta-data',
      'https://[::1]/metadata.xml',
      'https://localhost/metadata.xml',
    ]) {
      const res = await fetchMetadata(url);
      expect([url, res.status]).toEqual([url, 422]);
      expect(res.body.detail).toMatch(/not a public address|does not resolve/);
    }
    expect((await fetchMetadata('https://user:pass@idp.example/metadata.xml')).body.detail).toContain('user name or password');
  });
});
