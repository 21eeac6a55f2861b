import { tenantKeyPrefix } from '@mindbot/redis';
import { MindBotClient, type VerifierStorage } from '@mindbot/sdk';
import { completeIdpLogin, type TestOidcIdp } from '@mindbot/testing/oidc-idp';
import { TestSamlIdp } from '@mindbot/testing/saml-idp';
import type { SsoHarness, TestTenant } from '@mindbot/sso/testing/sso-harness';
import { uniqueSlug } from '@mindbot/testing';
import { hostFetch, refusal, startSsoBehindGateway, type SsoBehindGateway } from './support/sso-behind-gateway.js';

// Browser sign-in that lands back in the tenant's app: the real SSO behind the real gateway, a
// certified OpenID Provider (oidc-provider) and samlify as the SAML IdP. With returnTo, the IdP's
// answer becomes a 303 to the app carrying a one-time code; the SDK redeems it for tokens.
describe('@mindbot/sdk: SSO sign-in that returns to the app (returnTo + one-time code)', () => {
  let env: SsoBehindGateway;
  let sso: SsoHarness;
  let oidcIdp: TestOidcIdp;
  let samlIdp: TestSamlIdp;
  let tenant: TestTenant;
  let other: TestTenant;
  let port: string;
  let baseUrl: string;
  let otherBaseUrl: string;
  let customDomain: string;
  let oidc: SsoBehindGateway['oidc'];
  let saml: SsoBehindGateway['saml'];
  /** How far the SSO's code clock runs ahead of real time. */
  let clockShift = 0;

  const memoryStorage = (): VerifierStorage & { size(): number } => {
    const items = new Map<string, string>();
    return {
      getItem: (key) => items.get(key) ?? null,
      setItem: (key, value) => items.set(key, value),
      removeItem: (key) => items.delete(key),
      size: () => items.size,
    };
  };

  /** The gateway's answer to a request the browser makes on the tenant's host (redirects not followed). */
  const browse = (url: string, init: RequestInit = {}) => hostFetch(url, { ...init, redirect: 'manual' });

  /** The OIDC round trip up to SSO's answer at the callback, reached through the gateway. */
  async function oidcRoundTrip(startUrl: string, login = 'alice'): Promise<Response> {
    const start = await browse(startUrl);
    expect(start.status).toBe(302);
    const back = await completeIdpLogin(start.headers.get('location') ?? '', login, { redirectPrefix: oidc.redirectUri });
    return browse(`${baseUrl}${back.pathname}${back.search}`);
  }

  async function refusedReasons(at: TestTenant): Promise<unknown[]> {
    return (await sso.auditActions(at)).filter((a) => a.action === 'sso.login_refused').map((a) => (a.data as { reason?: unknown }).reason);
  }

  async function ssoKeys(at: TestTenant): Promise<string[]> {
    const redis = sso.deps.redis;
    if (!redis) throw new Error('These tests need Redis');
    return (await redis.keys(`${tenantKeyPrefix(at.slug)}sso:*`)).sort();
  }

  beforeAll(async () => {
    customDomain = `app-${uniqueSlug('sso-back')}.test`;
    env = await startSsoBehindGateway({
      prefix: 'sso-back',
      domains: [customDomain],
      accounts: {
        alice: { email: 'alice@corp.test', name: 'Alice', groups: ['staff'] },
        bob: { email: 'bob@corp.test', name: 'Bob', groups: [] },
      },
      ssoOverrides: { now: () => Date.now() + clockShift },
    });
    ({ sso, oidcIdp, samlIdp, tenant, port, baseUrl, oidc, saml } = env);
    other = await env.addTenant('sso-other');
    otherBaseUrl = `http://${other.host}:${port}`;
  });

  afterEach(() => {
    clockShift = 0;
  });

  afterAll(async () => {
    await env.close();
  });

  it('OIDC: start with returnTo → IdP → 303 back to the app with a code (no tokens) → the SDK redeems it once for working tokens', async () => {
    const client = new MindBotClient({ baseUrl, fetch: hostFetch });
    const storage = memoryStorage();
    const returnTo = `${baseUrl}/app/welcome?tab=1`;
    const { url } = await client.startSsoSignIn({ connection: oidc.id }, { returnTo, storage });
    expect(new URL(url).searchParams.get('returnTo')).toBe(returnTo);
    expect(new URL(url).searchParams.get('code_challenge_method')).toBe('S256');
    expect(storage.size()).toBe(1);

    const back = await oidcRoundTrip(url);
    expect(back.status).toBe(303);
    expect(back.headers.get('referrer-policy')).toBe('no-referrer');
    expect(back.headers.get('cache-control')).toBe('no-store');
    const location = back.headers.get('location') ?? '';
    expect(location).toMatch(new RegExp(`^${returnTo.replace(/[.?/]/g, '\\$&')}#code=[A-Za-z0-9_-]{43}$`));
    expect(await back.text()).not.toMatch(/access_token|refresh_token/);

    const tokens = await client.completeSsoRedirect(location, { storage });
    expect(storage.size()).toBe(0);
    const user = new MindBotClient({ baseUrl, credential: tokens.access_token, fetch: hostFetch });
    expect(await user.me()).toMatchObject({
      tenant: tenant.slug,
      email: 'alice@corp.test',
      identities: [{ connectionId: oidc.id }],
      sessionId: tokens.session_id,
    });

    const actions = await sso.auditActions(tenant);
    expect(
      actions.find((a) => a.action === 'sso.login_succeeded' && (a.data as { returnTo?: string }).returnTo === baseUrl)?.data,
    ).toMatchObject({ method: 'oidc', pkce: true });
    expect(actions.find((a) => a.action === 'sso.code_redeemed')?.data).toMatchObject({
      method: 'oidc',
      session: tokens.session_id,
      pkce: true,
    });

    // The code is spent: a second redemption (a replayed URL, a leaked history entry) is refused.
    const verifier = (await client.startSsoSignIn({ connection: oidc.id }, { returnTo })).codeVerifier;
    expect(await refusal(client.completeSsoRedirect(location, { codeVerifier: verifier }))).toEqual([401, 'unauthenticated']);
    expect(await refusedReasons(tenant)).toContain('code_unknown');
  });

  it('SAML: start with returnTo → AuthnRequest → signed response posted to the ACS → 303 back with a code, whatever RelayState the IdP sends', async () => {
    const client = new MindBotClient({ baseUrl, fetch: hostFetch });
    const returnTo = `${baseUrl}/after-saml`;
    const { url, codeVerifier } = await client.startSsoSignIn({ connection: saml.id }, { returnTo });
    const start = await browse(url);
    expect(start.status).toBe(302);
    const authnRequest = start.headers.get('location') ?? '';
    expect(authnRequest.startsWith(samlIdp.ssoUrl)).toBe(true);

    const SAMLResponse = await samlIdp.response(saml.sp, {
      nameId: 'ada@corp.test',
      attributes: { email: ['ada@corp.test'], displayName: ['Ada'], groups: ['staff'] },
      inResponseTo: TestSamlIdp.requestIdOf(authnRequest),
    });
    // RelayState comes from the IdP and is not trusted: the return address is the one stored for the AuthnRequest.
    const acs = new URL(saml.sp.acsUrl);
    const posted = await browse(`${baseUrl}${acs.pathname}`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ SAMLResponse, RelayState: 'https://evil.example/steal' }).toString(),
    });
    expect(posted.status).toBe(303);
    const location = posted.headers.get('location') ?? '';
    expect(location.startsWith(`${returnTo}#code=`)).toBe(true);

    const tokens = await client.completeSsoRedirect(new URL(location), { codeVerifier });
    const user = new MindBotClient({ baseUrl, credential: tokens.access_token, fetch: hostFetch });
    expect(await user.me()).toMatchObject({
      tenant: tenant.slug,
      email: 'ada@corp.test',
      displayName: 'Ada',
      identities: [{ connectionId: saml.id }],
    });
    expect(await refusal(client.completeSsoRedirect(location, { codeVerifier }))).toEqual([401, 'unauthenticated']);
  });

  it('refuses a code after its 60 seconds, and once refused it is gone', async () => {
    const client = new MindBotClient({ baseUrl, fetch: hostFetch });
    const { url, codeVerifier } = await client.startSsoSignIn({ connection: oidc.id }, { returnTo: `${baseUrl}/late` });
    const location = (await oidcRoundTrip(url)).headers.get('location') ?? '';
    clockShift = 61_000;
    expect(await refusal(client.completeSsoRedirect(location, { codeVerifier }))).toEqual([401, 'unauthenticated']);
    clockShift = 0;
    expect(await refusal(client.completeSsoRedirect(location, { codeVerifier }))).toEqual([401, 'unauthenticated']);
    expect(await refusedReasons(tenant)).toEqual(expect.arrayContaining(['code_expired', 'code_unknown']));
  });

  it("refuses tenant A's code at tenant B (where it does not exist) without spending it at A", async () => {
    const client = new MindBotClient({ baseUrl, fetch: hostFetch });
    const { url, codeVerifier } = await client.startSsoSignIn({ connection: oidc.id }, { returnTo: `${baseUrl}/a` });
    const location = (await oidcRoundTrip(url, 'bob')).headers.get('location') ?? '';

    const atOther = new MindBotClient({ baseUrl: otherBaseUrl, fetch: hostFetch });
    expect(await refusal(atOther.completeSsoRedirect(location, { codeVerifier }))).toEqual([401, 'unauthenticated']);
    expect(await refusedReasons(other)).toEqual(['code_unknown']);

    const tokens = await client.completeSsoRedirect(location, { codeVerifier });
    expect(await new MindBotClient({ baseUrl, credential: tokens.access_token, fetch: hostFetch }).me()).toMatchObject({
      tenant: tenant.slug,
      email: 'bob@corp.test',
    });
  });

  it('binds the code to the PKCE verifier when a challenge was sent; without one, the code alone redeems it', async () => {
    const client = new MindBotClient({ baseUrl, fetch: hostFetch });
    const withPkce = await client.startSsoSignIn({ connection: oidc.id }, { returnTo: `${baseUrl}/p` });
    const stranger = await client.startSsoSignIn({ connection: oidc.id }, { returnTo: `${baseUrl}/p` });
    const bound = (await oidcRoundTrip(withPkce.url)).headers.get('location') ?? '';
    expect(await refusal(client.completeSsoRedirect(bound, { codeVerifier: stranger.codeVerifier }))).toEqual([401, 'unauthenticated']);
    expect(await refusedReasons(tenant)).toContain('code_verifier_mismatch');

    const plain =
      (await oidcRoundTrip(client.ssoSignInUrl({ connection: oidc.id }, { returnTo: `${baseUrl}/p` }))).headers.get('location') ?? '';
    const tokens = await client.completeSsoRedirect(plain);
    expect(tokens.token_type).toBe('Bearer');

    // Not a sign-in return at all: nothing is sent.
    expect(await refusal(client.completeSsoRedirect(`${baseUrl}/p?code=abc`))).toMatch(/fragment has no code/);
  });

  it("accepts the tenant's own domains as returnTo, and refuses every other address with a 400, nothing stored, audited", async () => {
    const accepted = await browse(
      `${baseUrl}/v1/sso/login?${new URLSearchParams({ connection: oidc.id, returnTo: `http://${customDomain}/home` }).toString()}`,
    );
    expect(accepted.status).toBe(302);
    expect(accepted.headers.get('location')?.startsWith(oidcIdp.issuer)).toBe(true);

    const keysBefore = await ssoKeys(tenant);
    const refusedBefore = (await refusedReasons(tenant)).length;
    const evil = [
      'https://evil.example/',
      `http://${tenant.host}.evil.example/`,
      `http://evil.example/?${tenant.host}`,
      `http://${tenant.host}@evil.example/`,
      `http://evil.example@${tenant.host}/`,
      `//evil.example/`,
      `/relative/path`,
      `javascript:alert(document.domain)//${tenant.host}`,
      `data:text/html,<a href="http://${tenant.host}">`,
      `https://${tenant.host}/`,
      `http://${other.host}:${port}/`,
      `${baseUrl}/app#already-a-fragment`,
      `http://localhost:${port}/`,
    ];
    for (const returnTo of evil) {
      const res = await browse(`${baseUrl}/v1/sso/login?${new URLSearchParams({ connection: oidc.id, returnTo }).toString()}`);
      expect([returnTo, res.status, res.headers.get('location')]).toEqual([returnTo, 400, null]);
      expect(((await res.json()) as { status: number }).status).toBe(400);
    }
    // A PKCE challenge means nothing without a place to return to.
    const orphan = await browse(
      `${baseUrl}/v1/sso/login?${new URLSearchParams({ connection: oidc.id, code_challenge: 'a'.repeat(43), code_challenge_method: 'S256' }).toString()}`,
    );
    expect(orphan.status).toBe(400);

    expect(await ssoKeys(tenant)).toEqual(keysBefore);
    const reasons = (await refusedReasons(tenant)).slice(refusedBefore);
    expect(reasons).toEqual([...evil.map(() => 'return_to_refused'), 'code_challenge_without_return_to']);
  });

  it('without returnTo the callback still answers the tokens as JSON (API clients, popups)', async () => {
    const client = new MindBotClient({ baseUrl, fetch: hostFetch });
    const res = await oidcRoundTrip(client.ssoSignInUrl({ connection: oidc.id }));
    expect(res.status).toBe(200);
    expect(((await res.json()) as { token_type: string }).token_type).toBe('Bearer');
  });
});
