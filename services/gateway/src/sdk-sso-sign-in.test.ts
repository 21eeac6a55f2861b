import request from 'supertest';
import { createTokenVerifier } from '@mindbot/auth';
import { startServer, type RunningServer } from '@mindbot/http';
import { MindBotApiError, MindBotClient } from '@mindbot/sdk';
import { completeIdpLogin, startOidcIdp, type TestOidcIdp } from '@mindbot/sso/testing/oidc-idp';
import { TestSamlIdp, type SpEndpoints } from '@mindbot/sso/testing/saml-idp';
import { startSsoHarness, type SsoHarness, type TestTenant } from '@mindbot/sso/testing/sso-harness';
import { freePort, uniqueSlug } from '@mindbot/testing';
import { startGatewayHarness, type GatewayHarness } from './testing/harness.js';

// The SDK's SSO sign-in helpers against the real flow: the real SSO service behind the real gateway
// (sharing one platform registry, trusting the gateway's forwarded host), a certified OpenID Provider
// (oidc-provider) and samlify as the SAML IdP. Tokens come back from SSO's callback / ACS.
describe('@mindbot/sdk: SAML and OIDC sign-in through the gateway', () => {
  let gateway: GatewayHarness;
  let sso: SsoHarness;
  let ssoServer: RunningServer;
  let oidcIdp: TestOidcIdp;
  let samlIdp: TestSamlIdp;
  let tenant: TestTenant;
  let baseUrl: string;
  let oidc: { id: string; redirectUri: string };
  let saml: { id: string; sp: SpEndpoints };

  // Node's fetch resolves *.localhost through DNS; send to loopback with the tenant's host forwarded (a trusted proxy's way).
  const hostFetch: typeof fetch = (input, init) => {
    const url = new URL(typeof input === 'string' ? input : input instanceof URL ? input.href : input.url);
    const headers = new Headers(init?.headers);
    headers.set('x-forwarded-host', url.hostname);
    url.hostname = '127.0.0.1';
    return fetch(url, { ...init, headers });
  };

  async function refusal(promise: Promise<unknown>): Promise<[number, string] | string> {
    const error = await promise.then(
      () => 'resolved',
      (e: unknown) => e,
    );
    return error instanceof MindBotApiError ? [error.status, error.code] : String(error);
  }

  async function startAt(url: string): Promise<string> {
    const res = await hostFetch(url, { redirect: 'manual' });
    expect(res.status).toBe(302);
    return res.headers.get('location') ?? '';
  }

  beforeAll(async () => {
    const ssoUrl = `http://127.0.0.1:${await freePort()}`;
    const verifier = createTokenVerifier({ jwks: new URL(`${ssoUrl}/.well-known/jwks.json`), issuer: 'https://sso.test.mindbot', audience: 'mindbot-platform' });
    gateway = await startGatewayHarness({ trustProxy: 'loopback', ssoUrl, verifier });
    sso = await startSsoHarness({ database: gateway.database, trustProxy: 'loopback' });
    ssoServer = await startServer(sso.app, { port: Number(new URL(ssoUrl).port), host: '127.0.0.1', logger: gateway.log.logger, lifecycle: sso.deps.lifecycle, shutdownTimeoutMs: 1_000 });
    const server = await gateway.listen();

    const slug = uniqueSlug('sdk-sso');
    const host = `${slug}.localhost`;
    // No domains of its own: SSO behind the gateway must resolve the platform host `<slug>.localhost` as the gateway does.
    await gateway.provision(slug, (manifest) => {
      manifest.spec.domains = [];
    });
    tenant = { slug, host, origin: `http://${host}` };
    baseUrl = `http://${host}:${new URL(server.url).port}`;
    const admin = await sso.tokenFor(tenant, ['admin']);
    const connect = async (body: Record<string, unknown>) => {
      const res = await request(sso.app).post('/v1/sso/connections').set('Host', host).set('Authorization', `Bearer ${admin}`).send(body);
      expect(res.status).toBe(201);
      return res.body as { id: string; oidc?: { redirectUri: string }; saml?: SpEndpoints };
    };

    const idpPort = await freePort();
    const created = await connect({
      kind: 'oidc',
      name: 'okta',
      settings: { issuer: `http://127.0.0.1:${idpPort}`, clientId: 'client-sdk', idTokenAlgorithm: 'RS256', scopes: 'openid email profile groups' },
      secrets: { clientSecret: 'secret-sdk-0123456789' },
    });
    oidc = { id: created.id, redirectUri: created.oidc?.redirectUri ?? '' };
    oidcIdp = await startOidcIdp({
      port: idpPort,
      accounts: { alice: { email: 'alice@corp.test', name: 'Alice', groups: ['staff'] } },
      clients: [{ clientId: 'client-sdk', clientSecret: 'secret-sdk-0123456789', redirectUris: [oidc.redirectUri] }],
    });

    samlIdp = new TestSamlIdp('sdk');
    const samlConnection = await connect({ kind: 'saml', name: 'adfs', metadataXml: samlIdp.metadataXml() });
    saml = { id: samlConnection.id, sp: samlConnection.saml ?? { entityId: '', acsUrl: '', sloUrl: '' } };
  });

  afterAll(async () => {
    await oidcIdp.close();
    await ssoServer.close();
    await sso.close();
    await gateway.close();
  });

  it('signs in with OIDC: start URL → IdP → redirect back redeemed once for tokens that the gateway and SSO accept', async () => {
    const client = new MindBotClient({ baseUrl, fetch: hostFetch });
    const start = client.ssoSignInUrl({ connection: oidc.id });
    expect(start).toBe(`${baseUrl}/v1/sso/login?connection=${oidc.id}`);
    const authorization = await startAt(start);
    expect(authorization.startsWith(oidcIdp.issuer)).toBe(true);

    const back = await completeIdpLogin(authorization, 'alice', { redirectPrefix: oidc.redirectUri });
    const tokens = await client.completeOidcSignIn(back);
    const user = new MindBotClient({ baseUrl, credential: tokens.access_token, fetch: hostFetch });
    expect(await user.me()).toMatchObject({ tenant: tenant.slug, email: 'alice@corp.test', identities: [{ connectionId: oidc.id }], sessionId: tokens.session_id });

    // The state is spent: the same redirect cannot be redeemed a second time.
    expect(await refusal(client.completeOidcSignIn(back))).toEqual([401, 'unauthenticated']);

    const refreshed = await client.refresh(tokens.refresh_token);
    expect(refreshed.session_id).toBe(tokens.session_id);
    expect(await new MindBotClient({ baseUrl, credential: refreshed.access_token, fetch: hostFetch }).signOut()).toEqual({});
    expect(await refusal(client.refresh(refreshed.refresh_token))).toEqual([401, 'unauthenticated']);
  });

  it('signs in with SAML: start URL → AuthnRequest at the IdP → its signed response posted to the ACS for tokens, never twice', async () => {
    const client = new MindBotClient({ baseUrl, fetch: hostFetch });
    const authnRequest = await startAt(client.ssoSignInUrl({ connection: saml.id }));
    expect(authnRequest.startsWith(samlIdp.ssoUrl)).toBe(true);

    const SAMLResponse = await samlIdp.response(saml.sp, {
      nameId: 'ada@corp.test',
      attributes: { email: ['ada@corp.test'], displayName: ['Ada'], groups: ['staff'] },
      inResponseTo: TestSamlIdp.requestIdOf(authnRequest),
    });
    const tokens = await client.completeSamlSignIn(saml.sp.acsUrl, { SAMLResponse });
    const user = new MindBotClient({ baseUrl, credential: tokens.access_token, fetch: hostFetch });
    expect(await user.me()).toMatchObject({ tenant: tenant.slug, email: 'ada@corp.test', displayName: 'Ada', identities: [{ connectionId: saml.id }] });

    expect(await refusal(client.completeSamlSignIn(saml.id, { SAMLResponse }))).toEqual([401, 'unauthenticated']);
  });

  it('builds email-routed start URLs with the address normalised, and refuses bad input before any request', async () => {
    let requests = 0;
    const counting: typeof fetch = (input, init) => {
      requests += 1;
      return hostFetch(input, init);
    };
    const client = new MindBotClient({ baseUrl, fetch: counting });
    expect(client.ssoSignInUrl({ email: ' Alice@Corp.TEST ' })).toBe(`${baseUrl}/v1/sso/login?email=alice%40corp.test`);
    expect(() => client.ssoSignInUrl({ email: 'not-an-email' })).toThrow(/email/);
    // A URL that is not an OIDC callback, or has no state, is never sent anywhere.
    expect(await refusal(client.completeOidcSignIn(`${baseUrl}/v1/balance?state=abc`))).toMatch(/Not an OIDC sign-in callback/);
    expect(await refusal(client.completeOidcSignIn(`${baseUrl}/v1/sso/oidc/${oidc.id}/callback?code=abc`))).toMatch(/state is missing/);
    expect(await refusal(client.completeSamlSignIn(`${baseUrl}/v1/balance`, { SAMLResponse: 'PHNhbWw+' }))).toMatch(/Not a SAML ACS URL/);
    expect(await refusal(client.completeSamlSignIn(saml.id, { SAMLResponse: '<xml/>' }))).toMatch(/base64/);
    expect(requests).toBe(0);
  });
});
