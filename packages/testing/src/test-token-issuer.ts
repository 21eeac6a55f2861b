import { exportJWK, generateKeyPair, SignJWT, type JSONWebKeySet, type JWTPayload } from 'jose';
import { randomUUID } from 'node:crypto';

export interface TestTokenIssuer {
  issuer: string;
  audience: string;
  jwks: JSONWebKeySet;
  /** A platform access token for `tenant`/`userId`, with any claim overridable (e.g. an `exp` in the past). */
  sign(
    claims: { tenant: string; userId?: string; roles?: string[] } & JWTPayload,
    options?: { kid?: string; expiresInSeconds?: number },
  ): Promise<string>;
}

/** Mints real ES256 platform tokens for tests of services that verify them, as the SSO service would. */
export async function createTestTokenIssuer(issuer = 'https://sso.test.mindbot', audience = 'mindbot-platform'): Promise<TestTokenIssuer> {
  const { privateKey, publicKey } = await generateKeyPair('ES256', { extractable: true });
  const kid = `test-${randomUUID()}`;
  const jwk = { ...(await exportJWK(publicKey)), kid, alg: 'ES256', use: 'sig' };
  return {
    issuer,
    audience,
    jwks: { keys: [jwk] },
    async sign({ tenant, userId, roles, ...rest }, options = {}) {
      const now = Math.floor(Date.now() / 1000);
      const claims: JWTPayload = {
        iss: issuer,
        aud: audience,
        sub: userId ?? 'usr_test',
        jti: randomUUID(),
        iat: now,
        exp: now + (options.expiresInSeconds ?? 300),
        tid: tenant,
        roles: roles ?? ['member'],
        sid: `ses_${randomUUID()}`,
        ...rest,
      };
      return new SignJWT(claims).setProtectedHeader({ alg: 'ES256', kid: options.kid ?? kid }).sign(privateKey);
    },
  };
}
