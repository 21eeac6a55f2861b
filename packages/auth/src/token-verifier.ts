import { KeyObject, verify as verifySignature } from 'node:crypto';
import { createLocalJWKSet, createRemoteJWKSet, errors, type JSONWebKeySet, type LocalJWKSet, type RemoteJWKSet } from 'jose';
import { AppError } from '@mindbot/errors';
import { principalClaimsSchema, type Principal } from './principal.js';

/**
 * The algorithms a platform token may be signed with; each key of the JWKS verifies exactly one of
 * them, the one its type implies (RSA: RS256, EC P-256: ES256), and a token must name that one.
 * RS256 is what new keys use: verifying it costs a fraction of ES256 (docs/adr/0060-rs256-platform-tokens.md).
 */
export const PLATFORM_TOKEN_ALGORITHMS = ['RS256', 'ES256'] as const;
export type PlatformTokenAlgorithm = (typeof PLATFORM_TOKEN_ALGORITHMS)[number];

/** The smallest RSA modulus a platform signing key may have (bits). */
export const MIN_RSA_MODULUS_BITS = 2048;

/** Longer than any token the SSO service issues; bounds the work an attacker's input can cause. */
const MAX_TOKEN_LENGTH = 8192;

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
 * A client sends the same access token with every request until it expires, and even the cheapest
 * signature check costs tens of µs of a core. So a token whose signature, issuer, audience and
 * claims passed is remembered (by its whole compact form, signature included) for at most
 * VERIFIED_TOKEN_MAX_AGE_MS: a repeat is checked again for expiry and revocation on every call, only
 * the signature and claim parsing are skipped. The bound on the age also bounds how long a key the
 * JWKS dropped keeps its tokens accepted (they were valid when seen and carry their own expiry).
 */
export const VERIFIED_TOKEN_CACHE_SIZE = 10_000;
export const VERIFIED_TOKEN_MAX_AGE_MS = 60_000;

interface Verified {
  principal: Principal;
  /** Accepted until (ms): the token's exp plus the clock tolerance. */
  acceptUntil: number;
  /** Remembered until (ms). */
  forgetAt: number;
}

export interface TokenVerifier {
  /**
   * Verifies signature (RS256 or ES256, whichever the token's key is for), issuer, audience, expiry
   * and claim shapes, and that the token's session is not revoked; throws a 401 AppError otherwise.
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

class InvalidToken extends Error {}

/** A key as it verifies: a node:crypto KeyObject, checked once to be of the type its algorithm needs. */
interface VerifyingKey {
  algorithm: PlatformTokenAlgorithm;
  key: KeyObject;
  /** Bytes of a well-formed signature: 64 for ES256 (r‖s), the modulus size for RS256. */
  signatureLength: number;
}

function verifyingKey(cryptoKey: CryptoKey, algorithm: PlatformTokenAlgorithm): VerifyingKey {
  const key = KeyObject.from(cryptoKey);
  const details = key.asymmetricKeyDetails;
  if (key.type !== 'public') throw new InvalidToken('ERR_JWK_NOT_PUBLIC');
  if (algorithm === 'ES256' && key.asymmetricKeyType === 'ec' && details?.namedCurve === 'prime256v1') {
    return { algorithm, key, signatureLength: 64 };
  }
  const bits = details?.modulusLength ?? 0;
  if (algorithm === 'RS256' && key.asymmetricKeyType === 'rsa' && bits >= MIN_RSA_MODULUS_BITS) {
    return { algorithm, key, signatureLength: Math.ceil(bits / 8) };
  }
  throw new InvalidToken('ERR_JWK_WRONG_TYPE');
}

const COMPACT_JWS = /^([A-Za-z0-9_-]+)\.([A-Za-z0-9_-]+)\.([A-Za-z0-9_-]+)$/;

function decodeSegment(segment: string): Record<string, unknown> {
  let value: unknown;
  try {
    value = JSON.parse(Buffer.from(segment, 'base64url').toString('utf8'));
  } catch {
    throw new InvalidToken('ERR_JWS_INVALID');
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new InvalidToken('ERR_JWS_INVALID');
  return value as Record<string, unknown>;
}

function isPlatformAlgorithm(alg: unknown): alg is PlatformTokenAlgorithm {
  return typeof alg === 'string' && (PLATFORM_TOKEN_ALGORITHMS as readonly string[]).includes(alg);
}

export function createTokenVerifier(options: TokenVerifierOptions): TokenVerifier {
  // jose picks the key (kid, the key type the algorithm needs, the JWK's own alg/use/key_ops) and
  // fetches the JWKS again on an unknown kid; the signature itself is checked by node:crypto in the
  // calling thread, several times cheaper than WebCrypto's round trip through the thread pool.
  const selectKey: LocalJWKSet | RemoteJWKSet =
    options.jwks instanceof URL
      ? createRemoteJWKSet(options.jwks, { cooldownDuration: 30_000, cacheMaxAge: 10 * 60_000 })
      : createLocalJWKSet(options.jwks);
  // jose keeps one CryptoKey per JWK until the set is fetched again, so this follows rotation.
  const keyObjects = new WeakMap<CryptoKey, VerifyingKey>();
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
      principal = await verifyCompact(token);
    } catch (error) {
      const reason = error instanceof InvalidToken ? error.message : error instanceof errors.JOSEError ? error.code : 'ERR_CLAIMS_INVALID';
      throw invalidToken(reason);
    }
    remember(token, principal);
    return principal;
  }

  async function verifyCompact(token: string): Promise<Principal> {
    const parts = token.length <= MAX_TOKEN_LENGTH ? COMPACT_JWS.exec(token) : null;
    const [, headerPart = '', payloadPart = '', signaturePart = ''] = parts ?? [];
    if (!parts) throw new InvalidToken('ERR_JWS_INVALID');
    const header = decodeSegment(headerPart);
    // Pinned: only the platform's algorithms, never `none` or an HMAC keyed with a public key.
    if (!isPlatformAlgorithm(header.alg)) throw new InvalidToken('ERR_JOSE_ALG_NOT_ALLOWED');
    // Every platform token names its key; extensions (crit, b64) would change what is signed.
    if (typeof header.kid !== 'string' || 'crit' in header || 'b64' in header) throw new InvalidToken('ERR_JWS_INVALID');
    const cryptoKey = await selectKey({ alg: header.alg, kid: header.kid });
    let key = keyObjects.get(cryptoKey);
    if (!key) {
      key = verifyingKey(cryptoKey, header.alg);
      keyObjects.set(cryptoKey, key);
    }
    // A key verifies tokens of its own algorithm only (jose chose it for header.alg; this makes sure).
    if (key.algorithm !== header.alg) throw new InvalidToken('ERR_JOSE_ALG_NOT_ALLOWED');
    const signature = Buffer.from(signaturePart, 'base64url');
    // One encoding per signature: a token string that differs only in its signature's spelling is refused.
    if (signature.length !== key.signatureLength || signature.toString('base64url') !== signaturePart) {
      throw new InvalidToken('ERR_JWS_SIGNATURE_VERIFICATION_FAILED');
    }
    const signed = Buffer.from(token.slice(0, headerPart.length + 1 + payloadPart.length), 'ascii');
    const valid =
      key.algorithm === 'ES256'
        ? verifySignature('sha256', signed, { key: key.key, dsaEncoding: 'ieee-p1363' }, signature)
        : verifySignature('sha256', signed, key.key, signature);
    if (!valid) throw new InvalidToken('ERR_JWS_SIGNATURE_VERIFICATION_FAILED');
    return principalFrom(decodeSegment(payloadPart));
  }

  /** The registered claims as RFC 7519 and jose judge them, then the platform's own claim shapes. */
  function principalFrom(payload: Record<string, unknown>): Principal {
    const { iss, aud, exp, nbf, iat } = payload;
    if (iss !== options.issuer) throw new InvalidToken('ERR_JWT_CLAIM_VALIDATION_FAILED');
    const audiences = Array.isArray(aud) ? aud : [aud];
    if (!audiences.includes(options.audience)) throw new InvalidToken('ERR_JWT_CLAIM_VALIDATION_FAILED');
    const seconds = Math.floor(now() / 1000);
    if (typeof exp !== 'number' || typeof iat !== 'number' || (nbf !== undefined && typeof nbf !== 'number')) {
      throw new InvalidToken('ERR_JWT_CLAIM_VALIDATION_FAILED');
    }
    if (exp <= seconds - toleranceSeconds) throw new InvalidToken('ERR_JWT_EXPIRED');
    if (typeof nbf === 'number' && nbf > seconds + toleranceSeconds) throw new InvalidToken('ERR_JWT_CLAIM_VALIDATION_FAILED');
    const claims = principalClaimsSchema.parse(payload);
    return {
      userId: claims.sub,
      tenant: claims.tid,
      roles: claims.roles,
      sessionId: claims.sid,
      tokenId: claims.jti,
      expiresAt: new Date(claims.exp * 1000),
    };
  }
}
