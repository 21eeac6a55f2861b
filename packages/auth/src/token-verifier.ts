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
  /** Verified tokens remembered for reuse (0 turns it off); default VERIFIED_TOKEN_CACHE_SIZE. */
  verifiedCacheSize?: number;
  /** Test seam: the clock expiry is judged by (ms since the epoch). */
  now?: () => number;
}

/**
 * A client sends the same access token with every request until it expires, and an ES256 signature
 * check through WebCrypto costs ~150 µs of a core. So a token whose signature, issuer, audience and
 * claims passed is remembered (by its whole compact form, signature included) for at most
 * VERIFIED_TOKEN_MAX_AGE_MS: a repeat is checked again for expiry and revocation on every call, only
 * the signature and claim parsing are skipped. The bound on the age also bounds how long a key the
 * JWKS dropped keeps its tokens accepted (they were valid when seen and carry their own expiry).
 */
export const VERIFIED_TOKEN_CACHE_SIZE = 10_000;
export const VERIFIED_TOKEN_MAX_AGE_MS = 60_000;

interface Verified {
  principal: Principal;
  /** Accepted until (ms): the token's exp plus the clock tolerance, as jose judges it. */
  acceptUntil: number;
  /** Remembered until (ms). */
  forgetAt: number;
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
  const toleranceSeconds = options.clockToleranceSeconds ?? 5;
  const cacheSize = options.verifiedCacheSize ?? VERIFIED_TOKEN_CACHE_SIZE;
  const now = options.now ?? Date.now;
  const verified = new Map<string, Verified>();
  const remember = (token: string, principal: Principal) => {
    if (cacheSize <= 0) return;
    // Oldest first out: Map keeps insertion order, and every entry is dropped within a minute anyway.
    if (verified.size >= cacheSize) verified.delete(verified.keys().next().value ?? '');
    const at = now();
    verified.set(token, {
      principal,
      acceptUntil: principal.expiresAt.getTime() + toleranceSeconds * 1000,
      forgetAt: at + VERIFIED_TOKEN_MAX_AGE_MS,
    });
  };
  const recall = (token: string): Principal | undefined => {
    const entry = verified.get(token);
    if (!entry) return undefined;
    const at = now();
    if (at < entry.forgetAt && at < entry.acceptUntil) return entry.principal;
    verified.delete(token);
    return undefined;
  };
  let firstLoad = revoked?.firstLoad;
  void firstLoad?.then(() => {
    firstLoad = undefined;
  });
  return {
    async verify(token) {
      let principal = recall(token);
      if (!principal) principal = await verifySigned(token);
      if (firstLoad) await firstLoad;
      if (revoked?.has(principal.sessionId)) throw invalidToken('ERR_SESSION_REVOKED');
      // A copy, so no caller can change what the next request with this token is given.
      return { ...principal, roles: [...principal.roles], expiresAt: new Date(principal.expiresAt) };
    },
  };

  async function verifySigned(token: string): Promise<Principal> {
    let principal: Principal;
    try {
      const { payload } = await jwtVerify(token, keys, {
        issuer: options.issuer,
        audience: options.audience,
        algorithms: [PLATFORM_TOKEN_ALGORITHM],
        clockTolerance: toleranceSeconds,
        currentDate: new Date(now()),
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
    remember(token, principal);
    return principal;
  }
}
