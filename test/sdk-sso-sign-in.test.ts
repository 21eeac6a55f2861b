import { MindBotClient } from '@mindbot/sdk';
import { completeIdpLogin, type TestOidcIdp } from '@mindbot/testing/oidc-idp';
import { TestSamlIdp } from '@mindbot/testing/saml-idp';
import type { TestTenant } from '@mindbot/sso/testing/sso-harness';
import { hostFetch, refusal, startSsoBehindGateway, type SsoBehindGateway } from './support/sso-behind-gateway.js';

// The SDK's SSO sign-in helpers against the real flow: the real SSO service behind the real gateway
// (sharing one platform registry, trusting the gateway's forwarded host), a certified OpenID Provider
// (oidc-provider) and samlify as the SAML IdP. Tokens come back from SSO's callback / ACS.
describe('@mindbot/sdk: SAML and OIDC sign-in through the gateway', () => {
  let env: SsoBehindGateway;
  let oidcIdp: TestOidcIdp;
  let samlIdp: TestSamlIdp;
  let tenant: TestTenant;
  let baseUrl: string;
  let oidc: SsoBehindGateway['oidc'];
  let saml: SsoBehindGateway['saml'];

  async function startAt(url: string): Promise<string> {
    const res = await hostFetch(url, { redirect: 'manual' });
    expect(res.status).toBe(302);
    return res.headers.get('location') ?? '';
  }

  beforeAll(async () => {
    // No domains of its own: SSO behind the gateway must resolve the platform host `<slug>.localhost` as the gateway does.
    env = await startSsoBehindGateway({
      prefix: 'sdk-sso',
      accounts: { alice: { email: 'alice@corp.test', name: 'Alice', groups: ['staff'] } },
    });
    ({ oidcIdp, samlIdp, tenant, baseUrl, oidc, saml } = env);
  }, 120_000); // two IdP doubles, SSO and the gateway: slow to start on a busy two-core machine

  afterAll(async () => {
    await env.close();
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
    expect(await user.me()).toMatchObject({
      tenant: tenant.slug,
      email: 'alice@corp.test',
      identities: [{ connectionId: oidc.id }],
      sessionId: tokens.session_id,
    });

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
    expect(await user.me()).toMatchObject({
      tenant: tenant.slug,
      email: 'ada@corp.test',
      displayName: 'Ada',
      identities: [{ connectionId: saml.id }],
    });

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
