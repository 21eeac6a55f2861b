import { generateKeyPairSync, randomBytes } from 'node:crypto';
import type { PlatformTokenAlgorithm } from '@mindbot/auth';
import { loadSsoConfig, type SsoConfig } from '../config.js';

/**
 * A fresh private signing JWK with a kid, as an operator would mount it: RSA 2048 (RS256) as new
 * keys are, or EC P-256 (ES256) as the keys made before docs/adr/0060-rs256-platform-tokens.md.
 */
export function newSigningJwk(kid: string, algorithm: PlatformTokenAlgorithm = 'RS256'): Record<string, string> {
  const { privateKey } =
    algorithm === 'RS256' ? generateKeyPairSync('rsa', { modulusLength: 2048 }) : generateKeyPairSync('ec', { namedCurve: 'P-256' });
  const jwk = privateKey.export({ format: 'jwk' });
  return { ...Object.fromEntries(Object.entries(jwk).map(([name, value]) => [name, String(value)])), kid };
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
