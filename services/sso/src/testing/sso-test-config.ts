import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { loadSsoConfig, type SsoConfig } from '../config.js';

/** A fresh ES256 private JWK with a kid, as an operator would mount it. */
export function newSigningJwk(kid: string): Record<string, string> {
  const { privateKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  const jwk = privateKey.export({ format: 'jwk' });
  return { kty: String(jwk.kty), crv: String(jwk.crv), x: String(jwk.x), y: String(jwk.y), d: String(jwk.d), kid };
}

/** A complete SSO configuration for tests: fresh keys, http IdPs allowed, URLs on http. */
export function testSsoConfig(env: Record<string, string> = {}): SsoConfig {
  return loadSsoConfig({
    DATABASE_URL: 'postgres://unused@127.0.0.1:5432/unused',
    SSO_ISSUER: 'https://sso.test.mindbot',
    SSO_SIGNING_KEYS: JSON.stringify({ keys: [newSigningJwk('k-current'), newSigningJwk('k-next')] }),
    SSO_SIGNING_KID: 'k-current',
    SSO_SECRET_KEYS: `kek1:${randomBytes(32).toString('base64')}`,
    SSO_ALLOW_INSECURE_IDP_URLS: 'true',
    SSO_PUBLIC_SCHEME: 'http',
    NODE_ENV: 'test',
    // Attack suites post many sign-ins from one address; the rate-limit tests set their own limits.
    SSO_LOGIN_RATE_PER_IP: '100000',
    SSO_LOGIN_RATE_PER_TENANT: '100000',
    ...env,
  });
}
