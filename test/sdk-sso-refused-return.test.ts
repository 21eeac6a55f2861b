import { tenantKeyPrefix } from '@mindbot/redis';
import { statusOf, type ErrorCode } from '@mindbot/errors';
import { MindBotClient, ssoRedirectError, type VerifierStorage } from '@mindbot/sdk';
import { completeIdpLogin } from '@mindbot/testing/oidc-idp';
import { TestSamlIdp, type SpEndpoints } from '@mindbot/testing/saml-idp';
import type { SsoHarness, TestTenant } from '@mindbot/sso/testing/sso-harness';
import { hostFetch, refusal, startSsoBehindGateway, type SsoBehindGateway } from './support/sso-behind-gateway.js';

// A browser sign-in started with returnTo that is refused at or after the IdP: back to the app with
// the refusal's code in the fragment (never a code to redeem, never the reason), through the real
// gateway, SSO, oidc-provider and samlify. Without a trusted returnTo it stays SSO's problem answer.
describe('@mindbot/sdk: a refused SSO sign-in returns to the app with #error', () => {
  let env: SsoBehindGateway;
  let sso: SsoHarness;
  let samlIdp: TestSamlIdp;
  let tenant: TestTenant;
  let baseUrl: string;
  let oidc: SsoBehindGateway['oidc'];
  let saml: SsoBehindGateway['saml'];

  const browse = (url: string, init: RequestInit = {}) => hostFetch(url, { ...init, redirect: 'manual' });

  const memoryStorage = (): VerifierStorage & { size(): number } => {
    const items = new Map<string, string>();
    return {
      getItem: (k) => items.get(k) ?? null,
      setItem: (k, v) => items.set(k, v),
      removeItem: (k) => items.delete(k),
      size: () => items.size,
    };
  };

  async function refusedReasons(): Promise<unknown[]> {
    return (await sso.auditActions(tenant))
      .filter((a) => a.action === 'sso.login_refused')
      .map((a) => (a.data as { reason?: unknown }).reason);
  }

  /** One-time sign-in codes held for this tenant (none may be issued for a refused sign-in). */
  async function codesHeld(): Promise<number> {
    const redis = sso.deps.redis;
    if (!redis) throw new Error('These tests need Redis');
    return (await redis.keys(`${tenantKeyPrefix(tenant.slug)}sso:signin:code:*`)).length;
  }

  /** The fragment of a 303 back to returnTo, after checking it is one. */
  function fragmentOf(res: Response, returnTo: string): URLSearchParams {
    expect(res.status).toBe(303);
    expect(res.headers.get('cache-control')).toBe('no-store');
    expect(res.headers.get('referrer-policy')).toBe('no-referrer');
    const location = new URL(res.headers.get('location') ?? '');
    expect(`${location.origin}${location.pathname}${location.search}`).toBe(returnTo);
    return new URLSearchParams(location.hash.slice(1));
  }

  async function samlStart(returnTo: string | undefined): Promise<{ requestId: string; codeVerifier: string | undefined }> {
    const client = new MindBotClient({ baseUrl, fetch: hostFetch });
    const started =
      returnTo === undefined
        ? { url: client.ssoSignInUrl({ connection: saml.id }), codeVerifier: undefined }
        : await client.startSsoSignIn({ connection: saml.id }, { returnTo });
    const start = await browse(started.url);
    expect(start.status).toBe(302);
    return { requestId: TestSamlIdp.requestIdOf(start.headers.get('location') ?? ''), codeVerifier: started.codeVerifier };
  }

  const postToAcs = (SAMLResponse: string) =>
    browse(`${baseUrl}${new URL(saml.sp.acsUrl).pathname}`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ SAMLResponse, RelayState: 'https://evil.example/' }).toString(),
    });

  beforeAll(async () => {
    env = await startSsoBehindGateway({
      prefix: 'sso-refused',
      accounts: { alice: { email: 'alice@corp.test', name: 'Alice', groups: ['staff'] } },
    });
    ({ sso, samlIdp, tenant, baseUrl, oidc, saml } = env);
  });

  afterAll(async () => {
    await env.close();
  });

  it('OIDC: the user declines at the IdP → 303 to returnTo with #error=unauthenticated, the IdP error audited, no code; the SDK raises a MindBotApiError', async () => {
    const client = new MindBotClient({ baseUrl, fetch: hostFetch });
    const storage = memoryStorage();
    const returnTo = `${baseUrl}/app/signed-in?from=sso`;
    const { url } = await client.startSsoSignIn({ connection: oidc.id }, { returnTo, storage });
    const start = await browse(url);
    expect(start.status).toBe(302);
    const back = await completeIdpLogin(start.headers.get('location') ?? '', 'alice', { redirectPrefix: oidc.redirectUri, deny: true });
    expect(back.searchParams.get('error')).toBe('access_denied');

    const res = await browse(`${baseUrl}${back.pathname}${back.search}`);
    const fragment = fragmentOf(res, returnTo);
    expect([...fragment.keys()].sort()).toEqual(['error', 'error_description']);
    expect(fragment.get('error')).toBe('unauthenticated');
    expect(fragment.get('error_description')).toBe('The sign-in could not be completed.');
    expect(res.headers.get('location')).not.toMatch(/access_denied|declined|idp_error|code=/);
    expect(await codesHeld()).toBe(0);

    const refused = (await sso.auditActions(tenant)).filter((a) => a.action === 'sso.login_refused').at(-1);
    expect(refused?.data).toMatchObject({ reason: 'oidc_idp_error', detail: 'access_denied' });

    // The app hands its location to the SDK: a typed refusal, nothing sent, the verifier cleared.
    expect(await refusal(client.completeSsoRedirect(res.headers.get('location') ?? '', { storage }))).toEqual([401, 'unauthenticated']);
    expect(storage.size()).toBe(0);
    const error = await client.completeSsoRedirect(res.headers.get('location') ?? '').catch((e: unknown) => e);
    expect(error).toMatchObject({
      name: 'MindBotApiError',
      status: 401,
      code: 'unauthenticated',
      message: 'The sign-in could not be completed.',
    });
  });

  it('OIDC: the same refusal without returnTo is still the problem answer', async () => {
    const client = new MindBotClient({ baseUrl, fetch: hostFetch });
    const start = await browse(client.ssoSignInUrl({ connection: oidc.id }));
    const back = await completeIdpLogin(start.headers.get('location') ?? '', 'alice', { redirectPrefix: oidc.redirectUri, deny: true });
    const res = await browse(`${baseUrl}${back.pathname}${back.search}`);
    expect(res.status).toBe(401);
    expect(res.headers.get('location')).toBeNull();
    expect(((await res.json()) as { code: string }).code).toBe('unauthenticated');
  });

  it('OIDC: a forged state (no stored returnTo) is the problem answer, never a redirect', async () => {
    const before = (await refusedReasons()).length;
    const res = await browse(`${baseUrl}${new URL(oidc.redirectUri).pathname}?error=access_denied&state=forged-${Date.now()}`);
    expect(res.status).toBe(401);
    expect(res.headers.get('location')).toBeNull();
    expect(res.headers.get('content-type')).toMatch(/application\/problem\+json/);
    expect((await refusedReasons()).slice(before)).toEqual(['oidc_state_unknown']);
  });

  it.each([
    ['wrong audience', { audience: 'https://someone-else.test/sp' }],
    ['unsigned', { sign: { assertion: false, response: false } }],
  ])(
    'SAML: a refused response (%s) to a request started with returnTo → 303 back with #error, audited, no code, no user',
    async (_name, wrong) => {
      const returnTo = `${baseUrl}/after-saml`;
      const { requestId, codeVerifier } = await samlStart(returnTo);
      const usersBefore = await sso.userCount(tenant);
      const before = (await refusedReasons()).length;
      const res = await postToAcs(
        await samlIdp.response(saml.sp, {
          nameId: 'eve@corp.test',
          attributes: { email: ['eve@corp.test'] },
          inResponseTo: requestId,
          ...wrong,
        }),
      );
      expect(fragmentOf(res, returnTo).get('error')).toBe('unauthenticated');
      expect((await refusedReasons()).slice(before)).toEqual(['saml_invalid']);
      expect(await codesHeld()).toBe(0);
      expect(await sso.userCount(tenant)).toBe(usersBefore);
      const client = new MindBotClient({ baseUrl, fetch: hostFetch });
      expect(
        await refusal(client.completeSsoRedirect(res.headers.get('location') ?? '', codeVerifier === undefined ? {} : { codeVerifier })),
      ).toEqual([401, 'unauthenticated']);
    },
  );

  it('SAML: a valid response whose user may not sign in (email held by another account) → 303 back with #error=forbidden, reason audited', async () => {
    const spOf = (): SpEndpoints => saml.sp;
    const first = await samlStart(undefined);
    const created = await postToAcs(
      await samlIdp.response(spOf(), { nameId: 'kim-1', attributes: { email: ['kim@corp.test'] }, inResponseTo: first.requestId }),
    );
    expect(created.status).toBe(200);

    const returnTo = `${baseUrl}/kim`;
    const { requestId } = await samlStart(returnTo);
    const before = (await refusedReasons()).length;
    const res = await postToAcs(
      await samlIdp.response(spOf(), { nameId: 'kim-2', attributes: { email: ['kim@corp.test'] }, inResponseTo: requestId }),
    );
    const fragment = fragmentOf(res, returnTo);
    expect(fragment.get('error')).toBe('forbidden');
    expect(fragment.get('error_description')).toBe('This sign-in connection is not available.');
    expect((await refusedReasons()).slice(before)).toEqual(['email_taken']);
    expect(await codesHeld()).toBe(0);
    const error = await new MindBotClient({ baseUrl, fetch: hostFetch })
      .completeSsoRedirect(res.headers.get('location') ?? '')
      .catch((e: unknown) => e);
    expect(error).toMatchObject({ name: 'MindBotApiError', status: 403, code: 'forbidden' });
  });

  it('SAML: a refused response that answers no request of ours (forged InResponseTo) is the problem answer, never a redirect', async () => {
    await samlStart(`${baseUrl}/pending`);
    const before = (await refusedReasons()).length;
    const res = await postToAcs(
      await samlIdp.response(saml.sp, { nameId: 'eve@corp.test', inResponseTo: '_never-sent', audience: 'https://someone-else.test/sp' }),
    );
    expect(res.status).toBe(401);
    expect(res.headers.get('location')).toBeNull();
    expect((await refusedReasons()).slice(before)).toEqual(['saml_invalid']);
  });
});

describe('@mindbot/sdk: the status of a refusal named in the #error fragment', () => {
  // Every code SSO refuses a browser sign-in with (services/sso/src/http/refuse-login.ts), among
  // them conflict: the first sign-in that lost a race with a concurrent first sign-in of its email.
  const refusals: readonly ErrorCode[] = [
    'bad_request',
    'unauthenticated',
    'forbidden',
    'not_found',
    'conflict',
    'payload_too_large',
    'unavailable',
  ];

  it.each(refusals)('#error=%s carries the status SSO answers it with', (code) => {
    const problem = ssoRedirectError(`https://app.example/signed-in#error=${code}&error_description=Refused.`);
    expect(problem).toMatchObject({ code, status: statusOf(code), detail: 'Refused.' });
  });

  it('keeps a code it does not know, as a 400', () => {
    expect(ssoRedirectError('https://app.example/signed-in#error=something_new')).toMatchObject({ code: 'something_new', status: 400 });
  });
});
