import { createLocalJWKSet, createRemoteJWKSet, errors, jwtVerify, type JSONWebKeySet, type JWTVerifyGetKey } from 'jose';
import { AppError } from '@mindbot/errors';
import { principalClaimsSchema, type Principal } from './principal.js';

export const PLATFORM_TOKEN_ALGORITHM = 'ES256';

/**
 * The sessions whose access tokens must be refused before they expire (logout, admin revocation,
 * refresh-token reuse, a blocked user): a list the SSO service publishes and each process holds in
 * memory (`RevokedSessionList` in @mindbot/redis, docs/adr/0013-session-revocation-list.md).
 */
export interface RevokedSessions {
  /** Whether tokens of this session (`sid`) must be refused: an in-memory lookup, no I/O. */
  has(sessionId: string): boolean;
  /**
   * Settles (never rejects) when the first load of the list is over, loaded or given up on; the
   * verifier waits for it once, so a process that just started does not accept a token revoked
   * before it started.
   */
  readonly firstLoad: Promise<void>;
}

export interface TokenVerifierOptions {
  /** The SSO service's JWKS: a URL (cached; refetched on an unknown `kid`) or a key set (tests). */
  jwks: URL | JSONWebKeySet;
  issuer: string;
  audience: string;
  clockToleranceSeconds?: number;
  /** Revoked sessions: a token whose `sid` is in the list is refused like an invalid one. */
  revokedSessions?: RevokedSessions;
}

export interface TokenVerifier {
  /**
   * Verifies signature (ES256 only), issuer, audience, expiry and claim shapes, and that the
   * token's session is not revoked; throws a 401 AppError otherwise.
   */
  verify(token: string): Promise<Principal>;
}

// One answer for every failure, so the response helps no attacker; the reason goes to the log via `cause`.
function invalidToken(reason: string): AppError {
  return new AppError('unauthenticated', 'The access token is missing, invalid or expired.', {
    headers: { 'WWW-Authenticate': 'Bearer error="invalid_token"' },
    extensions: {},
    cause: new Error(reason),
  });
}

export function createTokenVerifier(options: TokenVerifierOptions): TokenVerifier {
  const keys: JWTVerifyGetKey =
    options.jwks instanceof URL
      ? createRemoteJWKSet(options.jwks, { cooldownDuration: 30_000, cacheMaxAge: 10 * 60_000 })
      : createLocalJWKSet(options.jwks);
  const revoked = options.revokedSessions;
  let firstLoad = revoked?.firstLoad;
  void firstLoad?.then(() => {
    firstLoad = undefined;
  });
  return {
    async verify(token) {
      let principal: Principal;
      try {
        const { payload } = await jwtVerify(token, keys, {
          issuer: options.issuer,
          audience: options.audience,
          algorithms: [PLATFORM_TOKEN_ALGORITHM],
          clockTolerance: options.clockToleranceSeconds ?? 5,
          requiredClaims: ['exp', 'iat', 'sub', 'jti'],
        });
        const claims = principalClaimsSchema.parse(payload);
        principal = {
          userId: claims.sub,
          tenant: claims.tid,
          roles: claims.roles,
          sessionId: claims.sid,
          tokenId: claims.jti,
          expiresAt: new Date(claims.exp * 1000),
        };
      } catch (error) {
        throw invalidToken(error instanceof errors.JOSEError ? error.code : 'ERR_CLAIMS_INVALID');
      }
      if (firstLoad) await firstLoad;
      if (revoked?.has(principal.sessionId)) throw invalidToken('ERR_SESSION_REVOKED');
      return principal;
    },
  };
}
