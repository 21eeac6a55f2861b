import { createLocalJWKSet, createRemoteJWKSet, errors, jwtVerify, type JSONWebKeySet, type JWTVerifyGetKey } from 'jose';
import { AppError } from '@mindbot/errors';
import { principalClaimsSchema, type Principal } from './principal.js';

export const PLATFORM_TOKEN_ALGORITHM = 'ES256';

export interface TokenVerifierOptions {
  /** The SSO service's JWKS: a URL (cached; refetched on an unknown `kid`) or a key set (tests). */
  jwks: URL | JSONWebKeySet;
  issuer: string;
  audience: string;
  clockToleranceSeconds?: number;
}

export interface TokenVerifier {
  /** Verifies signature (ES256 only), issuer, audience, expiry and claim shapes; throws a 401 AppError otherwise. */
  verify(token: string): Promise<Principal>;
}

export function createTokenVerifier(options: TokenVerifierOptions): TokenVerifier {
  const keys: JWTVerifyGetKey =
    options.jwks instanceof URL ? createRemoteJWKSet(options.jwks, { cooldownDuration: 30_000, cacheMaxAge: 10 * 60_000 }) : createLocalJWKSet(options.jwks);
  return {
    async verify(token) {
      try {
        const { payload } = await jwtVerify(token, keys, {
          issuer: options.issuer,
          audience: options.audience,
          algorithms: [PLATFORM_TOKEN_ALGORITHM],
          clockTolerance: options.clockToleranceSeconds ?? 5,
          requiredClaims: ['exp', 'iat', 'sub', 'jti'],
        });
        const claims = principalClaimsSchema.parse(payload);
        return { userId: claims.sub, tenant: claims.tid, roles: claims.roles, sessionId: claims.sid, tokenId: claims.jti, expiresAt: new Date(claims.exp * 1000) };
      } catch (error) {
        // One answer for every failure, so the response helps no attacker; the reason goes to the log via `cause`.
        const reason = error instanceof errors.JOSEError ? error.code : 'ERR_CLAIMS_INVALID';
        throw new AppError('unauthenticated', 'The access token is missing, invalid or expired.', {
          headers: { 'WWW-Authenticate': 'Bearer error="invalid_token"' },
          extensions: {},
          cause: new Error(reason),
        });
      }
    },
  };
}
