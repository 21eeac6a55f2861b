import * as oidc from 'openid-client';
import { fail, ok, type Result } from '@mindbot/errors';
import { z } from 'zod';
import type { EphemeralStore } from '../data/ephemeral-store.js';
import type { OidcConnection } from '../data/connection-repository.js';
import type { AssertedIdentity } from './just-in-time-users.js';
import { signInRelaySchema, type SignInRelay } from './sign-in-relay.js';

const TRANSACTION_TTL_SECONDS = 600;

const transactionSchema = z.object({
  connectionId: z.string(),
  verifier: z.string(),
  nonce: z.string(),
  relay: signInRelaySchema.optional(),
});

export type OidcTransaction = z.output<typeof transactionSchema>;

export type OidcTransactionOutcome = Result<OidcTransaction, 'state_missing' | 'state_unknown'>;

export type OidcCallbackOutcome = Result<AssertedIdentity, 'state_other_connection' | 'idp_error' | 'token_invalid' | 'idp_unreachable'>;

/** openid-client wraps oauth4webapi's errors: the code, the messages and the claim at fault, for the audit log. */
function describeFailure(error: unknown): string {
  const parts: string[] = [];
  let current: unknown = error;
  for (let depth = 0; depth < 4 && typeof current === 'object' && current !== null; depth++) {
    if ('code' in current && typeof current.code === 'string') parts.push(current.code);
    if ('message' in current && typeof current.message === 'string') parts.push(current.message);
    if ('claim' in current && typeof current.claim === 'string') parts.push(`claim ${current.claim}`);
    current = 'cause' in current ? current.cause : undefined;
  }
  return parts.join(' | ').slice(0, 400);
}

export function oidcRedirectUri(origin: string, connectionId: string): string {
  return `${origin}/v1/sso/oidc/${connectionId}/callback`;
}

/**
 * OIDC authorization code flow with PKCE, state and nonce through openid-client. ID-token signatures
 * are verified against the IdP's JWKS (non-repudiation checks on) with the one algorithm the
 * connection names; the transaction is single-use and bound to its connection.
 */
export class OidcLogin {
  private readonly configurations = new Map<string, { version: number; config: Promise<oidc.Configuration> }>();

  constructor(
    private readonly store: EphemeralStore,
    private readonly options: { allowInsecureRequests: boolean; clockSkewSeconds: number },
  ) {}

  /** `relay`: a browser sign-in's returnTo and PKCE challenge, kept in the transaction until the callback. */
  async start(tenant: string, connection: OidcConnection, origin: string, relay?: SignInRelay): Promise<URL> {
    const config = await this.configuration(connection);
    const verifier = oidc.randomPKCECodeVerifier();
    const state = oidc.randomState();
    const nonce = oidc.randomNonce();
    await this.store.put(
      tenant,
      ['oidc', 'tx', state],
      JSON.stringify({ connectionId: connection.id, verifier, nonce, ...(relay ? { relay } : {}) }),
      TRANSACTION_TTL_SECONDS,
    );
    return oidc.buildAuthorizationUrl(config, {
      redirect_uri: oidcRedirectUri(origin, connection.id),
      scope: connection.settings.scopes,
      response_type: 'code',
      code_challenge: await oidc.calculatePKCECodeChallenge(verifier),
      code_challenge_method: 'S256',
      state,
      nonce,
    });
  }

  /**
   * The login state the callback's `state` names, taken once (whatever happens next, it cannot be
   * used again). Taken before anything else is checked, so that every later refusal knows the
   * sign-in's stored relay; an unknown or missing state has none.
   */
  async takeTransaction(tenant: string, currentUrl: URL): Promise<OidcTransactionOutcome> {
    const state = currentUrl.searchParams.get('state');
    if (!state || state.length > 200) return fail('state_missing');
    const stored = await this.store.take(tenant, ['oidc', 'tx', state]);
    if (!stored) return fail('state_unknown');
    return ok(transactionSchema.parse(JSON.parse(stored)));
  }

  /** Completes the transaction taken for this callback: the IdP's answer, the code exchange, the ID token. */
  async callback(connection: OidcConnection, transaction: OidcTransaction, currentUrl: URL): Promise<OidcCallbackOutcome> {
    const state = currentUrl.searchParams.get('state') ?? '';
    if (transaction.connectionId !== connection.id) return fail('state_other_connection');
    if (currentUrl.searchParams.has('error')) return fail('idp_error', currentUrl.searchParams.get('error')?.slice(0, 100));
    let config: oidc.Configuration;
    try {
      config = await this.configuration(connection);
    } catch (error) {
      return fail('idp_unreachable', error instanceof Error ? error.message.slice(0, 200) : 'unknown');
    }
    try {
      const tokens = await oidc.authorizationCodeGrant(config, currentUrl, {
        pkceCodeVerifier: transaction.verifier,
        expectedState: state,
        expectedNonce: transaction.nonce,
        idTokenExpected: true,
      });
      const claims = tokens.claims();
      if (!claims) return fail('token_invalid', 'no id_token');
      const groupsClaim: unknown = claims[connection.settings.groupsClaim];
      const groups = Array.isArray(groupsClaim) ? groupsClaim.filter((g): g is string => typeof g === 'string') : [];
      const email = typeof claims.email === 'string' && claims.email_verified !== false ? claims.email : undefined;
      const displayName = typeof claims.name === 'string' ? claims.name.slice(0, 200) : undefined;
      return ok({ issuer: claims.iss, subject: claims.sub, email, displayName, groups });
    } catch (error) {
      return fail('token_invalid', describeFailure(error));
    }
  }

  /** Discovery once per connection version; a failed discovery is retried on the next login. */
  private configuration(connection: OidcConnection): Promise<oidc.Configuration> {
    const version = connection.updatedAt.getTime();
    const cached = this.configurations.get(connection.id);
    if (cached?.version === version) return cached.config;
    // eslint-disable-next-line @typescript-eslint/no-deprecated -- http IdPs only with SSO_ALLOW_INSECURE_IDP_URLS (development, tests); refused in production by config
    const insecure = this.options.allowInsecureRequests ? [oidc.allowInsecureRequests] : [];
    const execute = [oidc.enableNonRepudiationChecks, ...insecure];
    const config = oidc.discovery(
      new URL(connection.settings.issuer),
      connection.settings.clientId,
      { id_token_signed_response_alg: connection.settings.idTokenAlgorithm, [oidc.clockTolerance]: this.options.clockSkewSeconds },
      oidc.ClientSecretBasic(connection.secrets.clientSecret),
      { execute, timeout: 10 },
    );
    void config.catch(() => this.configurations.delete(connection.id));
    this.configurations.set(connection.id, { version, config });
    return config;
  }
}
