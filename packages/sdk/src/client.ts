import type { z } from 'zod';
import {
  apiKeyCreatedSchema,
  apiKeyListSchema,
  balanceSchema,
  brandingSchema,
  logoutResponseSchema,
  meSchema,
  packageListSchema,
  passwordRegisterRequestSchema,
  problemSchema,
  purchaseSchema,
  timeCardActivateRequestSchema,
  timeCardActivationSchema,
  timeCardListSchema,
  tokenResponseSchema,
  voiceSessionEndedSchema,
  voiceSessionSchema,
  type ApiKey,
  type ApiKeyCreated,
  type ApiKeyCreateRequest,
  type Balance,
  type Branding,
  type Me,
  type Package,
  type Problem,
  type Purchase,
  type TimeCard,
  type TimeCardActivation,
  type TokenResponse,
  type VoiceSession,
  type VoiceSessionCreateRequest,
  type VoiceSessionEnded,
} from './schemas.js';
import {
  oidcCallbackPath,
  pkcePair,
  samlAcsPath,
  samlPostBody,
  ssoRedirectCode,
  ssoRedirectError,
  ssoSignInUrl,
  VERIFIER_STORAGE_KEY,
  type SamlPost,
  type SsoReturn,
  type SsoSignInTarget,
  type VerifierStorage,
} from './sso-sign-in.js';

interface RequestOptions {
  anonymous?: boolean;
  headers?: Record<string, string>;
  /** A form post (the SAML binding) instead of a JSON body. */
  form?: URLSearchParams;
}

/** A refusal from the API: the RFC 9457 problem document, typed. */
export class MindBotApiError extends Error {
  constructor(
    readonly status: number,
    readonly problem: Problem,
  ) {
    super(problem.detail || problem.title);
    this.name = 'MindBotApiError';
  }

  get code(): string {
    return this.problem.code;
  }
}

export interface MindBotClientOptions {
  /** The tenant's base URL, e.g. `https://acme.mindbot.ai` (the host names the tenant). */
  baseUrl: string;
  /** A platform access token or an API key; a function is called before every request (token refresh). */
  credential?: string | (() => string | undefined | Promise<string | undefined>);
  fetch?: typeof globalThis.fetch;
}

/**
 * The MindBot public API for front ends and servers, typed from the same zod schemas the gateway
 * validates with; every answer is parsed, every refusal raised as a MindBotApiError.
 */
export class MindBotClient {
  private readonly baseUrl: string;
  private readonly fetchImpl: typeof globalThis.fetch;

  constructor(private readonly options: MindBotClientOptions) {
    this.baseUrl = options.baseUrl.replace(/\/$/, '');
    this.fetchImpl = options.fetch ?? globalThis.fetch.bind(globalThis);
  }

  /** Signs in with email and password; use the access token as the credential afterwards. */
  signIn(email: string, password: string): Promise<TokenResponse> {
    return this.call('POST', '/v1/auth/password/login', tokenResponseSchema, { email, password }, { anonymous: true });
  }

  /**
   * Makes a member account with a password and signs it in (where the tenant allows password sign-in);
   * a weak password is refused with the policy's reasons in the problem's `errors`, a taken email with 409.
   */
  register(email: string, password: string, options: { displayName?: string } = {}): Promise<TokenResponse> {
    const body = {
      email,
      password,
      ...(options.displayName === undefined ? {} : { displayName: options.displayName }),
    } satisfies z.input<typeof passwordRegisterRequestSchema>;
    return this.call('POST', '/v1/auth/password/register', tokenResponseSchema, body, { anonymous: true });
  }

  /** Rotates a refresh token (the old one stops working). */
  refresh(refreshToken: string): Promise<TokenResponse> {
    return this.call(
      'POST',
      '/v1/auth/token',
      tokenResponseSchema,
      { grant_type: 'refresh_token', refresh_token: refreshToken },
      { anonymous: true },
    );
  }

  /**
   * Where to send the browser to sign in through the tenant's SAML or OIDC identity provider. The IdP
   * comes back to SSO on the tenant's origin, which answers the tokens: for OIDC, hand the redirect
   * back to completeOidcSignIn; for SAML, hand the IdP's form post to completeSamlSignIn.
   */
  ssoSignInUrl(target: SsoSignInTarget, back?: SsoReturn): string {
    return ssoSignInUrl(this.baseUrl, target, back);
  }

  /**
   * A browser sign-in that lands back in the app: navigate to `url`; after the IdP, SSO sends the
   * browser to `returnTo` with a one-time code in the fragment, for completeSsoRedirect. A PKCE pair
   * is made here: its verifier goes into `storage` when given (sessionStorage), and is answered too.
   */
  async startSsoSignIn(
    target: SsoSignInTarget,
    options: { returnTo: string; storage?: VerifierStorage },
  ): Promise<{ url: string; codeVerifier: string }> {
    const pkce = await pkcePair();
    const url = ssoSignInUrl(this.baseUrl, target, { returnTo: options.returnTo, codeChallenge: pkce.challenge });
    options.storage?.setItem(VERIFIER_STORAGE_KEY, pkce.verifier);
    return { url, codeVerifier: pkce.verifier };
  }

  /**
   * Redeems the code in the returnTo page's location (`…#code=…`) for platform tokens, once, within
   * a minute, with the verifier from startSsoSignIn (given, or taken out of `storage`). Clear the
   * fragment from the address bar afterwards (history.replaceState). A sign-in refused at or after
   * the IdP comes back with `#error=…` instead: raised as a MindBotApiError with SSO's code, nothing sent.
   */
  async completeSsoRedirect(
    location: string | URL | { href: string },
    options: { codeVerifier?: string; storage?: VerifierStorage } = {},
  ): Promise<TokenResponse> {
    const refused = ssoRedirectError(location);
    // The sign-in is over either way: its verifier is of no further use.
    const stored = options.storage?.getItem(VERIFIER_STORAGE_KEY) ?? undefined;
    if (refused) {
      options.storage?.removeItem(VERIFIER_STORAGE_KEY);
      throw new MindBotApiError(refused.status, refused);
    }
    const code = ssoRedirectCode(location);
    options.storage?.removeItem(VERIFIER_STORAGE_KEY);
    const verifier = options.codeVerifier ?? stored;
    return this.call(
      'POST',
      '/v1/sso/exchange',
      tokenResponseSchema,
      { code, ...(verifier === undefined ? {} : { code_verifier: verifier }) },
      { anonymous: true },
    );
  }

  /** Redeems the OIDC redirect back (`…/v1/sso/oidc/<connection>/callback?code=…&state=…`) for platform tokens, once. */
  async completeOidcSignIn(redirectUrl: string | URL): Promise<TokenResponse> {
    return this.call('GET', oidcCallbackPath(redirectUrl), tokenResponseSchema, undefined, { anonymous: true });
  }

  /** Posts the SAML IdP's response (its HTTP-POST form) to the connection's ACS for platform tokens. */
  async completeSamlSignIn(connectionOrAcsUrl: string, post: SamlPost): Promise<TokenResponse> {
    return this.call('POST', samlAcsPath(connectionOrAcsUrl), tokenResponseSchema, undefined, {
      anonymous: true,
      form: samlPostBody(post),
    });
  }

  /** The signed-in user, their roles and identities. */
  me(): Promise<Me> {
    return this.call('GET', '/v1/auth/me', meSchema);
  }

  /** Ends the session; for a SAML session with single logout, answers the IdP's logout URL to send the browser to. */
  async signOut(): Promise<{ logoutUrl?: string }> {
    const response = await this.request('POST', '/v1/auth/logout', undefined, {});
    return response.status === 204 ? {} : logoutResponseSchema.parse(await response.json());
  }

  branding(): Promise<Branding> {
    return this.call('GET', '/v1/branding', brandingSchema, undefined, { anonymous: true });
  }

  balance(): Promise<Balance> {
    return this.call('GET', '/v1/balance', balanceSchema);
  }

  async packages(): Promise<Package[]> {
    return (await this.call('GET', '/v1/packages', packageListSchema)).packages;
  }

  /**
   * Starts a purchase; send the user to `checkoutUrl`. `returnUrl` (a page on one of the tenant's
   * origins or its `embedOrigins`) is where Checkout comes back to, with
   * `mindbot_checkout=success|cancel&mindbot_purchase=<id>` in its query; else the platform's purchase page.
   */
  purchase(packageId: string, idempotencyKey?: string, options: { returnUrl?: string } = {}): Promise<Purchase> {
    return this.call(
      'POST',
      '/v1/purchases',
      purchaseSchema,
      { packageId, ...(options.returnUrl === undefined ? {} : { returnUrl: options.returnUrl }) },
      idempotencyKey ? { headers: { 'Idempotency-Key': idempotencyKey } } : {},
    );
  }

  /** The signed-in user's time cards (a paid purchase issues one: its `purchaseId`), with their codes while they can still be used. */
  async timeCards(): Promise<TimeCard[]> {
    return (await this.call('GET', '/v1/time-cards', timeCardListSchema)).timeCards;
  }

  /**
   * Credits a time card's minutes to the signed-in user with its activation code. A wrong code is
   * refused with 404, a used one with 409, an expired or refunded one with 410, too many wrong tries with 429.
   */
  activateTimeCard(code: string): Promise<TimeCardActivation> {
    return this.call('POST', '/v1/time-cards/activate', timeCardActivationSchema, {
      code,
    } satisfies z.input<typeof timeCardActivateRequestSchema>);
  }

  /** Starts a voice session: join `room` at `livekitUrl` with `token`. */
  startVoiceSession(input: VoiceSessionCreateRequest = {}): Promise<VoiceSession> {
    return this.call('POST', '/v1/voice/sessions', voiceSessionSchema, input);
  }

  endVoiceSession(sessionId: string): Promise<VoiceSessionEnded> {
    return this.call('POST', `/v1/voice/sessions/${encodeURIComponent(sessionId)}/end`, voiceSessionEndedSchema, {});
  }

  createApiKey(input: ApiKeyCreateRequest): Promise<ApiKeyCreated> {
    return this.call('POST', '/v1/api-keys', apiKeyCreatedSchema, input);
  }

  async listApiKeys(): Promise<ApiKey[]> {
    return (await this.call('GET', '/v1/api-keys', apiKeyListSchema)).apiKeys;
  }

  async revokeApiKey(id: string): Promise<void> {
    await this.request('DELETE', `/v1/api-keys/${encodeURIComponent(id)}`, undefined, {});
  }

  private async call<S extends z.ZodType>(
    method: string,
    path: string,
    schema: S,
    body?: unknown,
    options: RequestOptions = {},
  ): Promise<z.output<S>> {
    const response = await this.request(method, path, body, options);
    return schema.parse(await response.json());
  }

  private async request(method: string, path: string, body: unknown, options: RequestOptions): Promise<Response> {
    const headers: Record<string, string> = { accept: 'application/json', ...options.headers };
    if (body !== undefined) headers['content-type'] = 'application/json';
    if (options.form) headers['content-type'] = 'application/x-www-form-urlencoded';
    const credential = options.anonymous
      ? undefined
      : typeof this.options.credential === 'function'
        ? await this.options.credential()
        : this.options.credential;
    if (credential) headers.authorization = `Bearer ${credential}`;
    const response = await this.fetchImpl(`${this.baseUrl}${path}`, {
      method,
      headers,
      ...(options.form ? { body: options.form.toString() } : body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    if (!response.ok) {
      const text = await response.text();
      let parsed: unknown;
      try {
        parsed = JSON.parse(text);
      } catch {
        parsed = undefined;
      }
      const problem = problemSchema.safeParse(parsed);
      throw new MindBotApiError(
        response.status,
        problem.success
          ? problem.data
          : { type: 'about:blank', title: response.statusText, status: response.status, detail: text.slice(0, 200), code: 'unknown' },
      );
    }
    return response;
  }
}
