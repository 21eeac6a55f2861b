import { keyEncryptionKeysSchema } from '@mindbot/envelope';
import { readFileSync } from 'node:fs';
import { z } from 'zod';
import { envBoolean, loadConfig } from '@mindbot/config';
import { mailEnv } from '@mindbot/mailer';
import { serviceEnv } from '@mindbot/service-runtime';
import { MIN_RSA_MODULUS_BITS } from '@mindbot/auth';

const keyId = z.string().regex(/^[A-Za-z0-9._-]{1,64}$/, 'must be a key id of letters, digits, dot, dash or underscore');

/** A private EC P-256 JWK: signs ES256 (the keys made before docs/adr/0060-rs256-platform-tokens.md). */
const privateEcSigningJwk = z.object({
  kty: z.literal('EC'),
  crv: z.literal('P-256', { error: 'must be a P-256 key' }),
  x: z.string().min(1),
  y: z.string().min(1),
  d: z.string().min(1, 'must be a private key (d)'),
  kid: keyId,
});

const base64url = z.string().regex(/^[A-Za-z0-9_-]+$/, 'must be base64url');

/** A private RSA JWK of at least MIN_RSA_MODULUS_BITS: signs RS256, which every verifier checks several times faster. */
const privateRsaSigningJwk = z.object({
  kty: z.literal('RSA'),
  n: base64url.refine(
    (n) => Buffer.from(n, 'base64url').length * 8 >= MIN_RSA_MODULUS_BITS,
    `must be a modulus of at least ${MIN_RSA_MODULUS_BITS} bits`,
  ),
  e: base64url,
  d: base64url.describe('must be a private key (d)'),
  p: base64url,
  q: base64url,
  dp: base64url,
  dq: base64url,
  qi: base64url,
  kid: keyId,
});

/** A private signing JWK: RSA (RS256) or EC P-256 (ES256); the key's type decides the algorithm. */
const privateSigningJwk = z.discriminatedUnion('kty', [privateRsaSigningJwk, privateEcSigningJwk], {
  error: 'must be an RSA or EC P-256 key',
});

const signingKeySet = z
  .string({ error: 'is required (or set SSO_SIGNING_KEYS_FILE)' })
  .transform((text, ctx) => {
    try {
      return JSON.parse(text) as unknown;
    } catch {
      ctx.addIssue({ code: 'custom', message: 'must be a JSON Web Key Set' });
      return z.NEVER;
    }
  })
  .pipe(
    z
      .object({ keys: z.array(privateSigningJwk).min(1).max(5) })
      .refine((set) => new Set(set.keys.map((k) => k.kid)).size === set.keys.length, 'key ids must be unique'),
  );

/** `kid:base64key,kid:base64key`: 32-byte key-encryption keys; the first encrypts, all decrypt. */
const secretKeys = z.string({ error: 'is required: key-encryption keys such as k1:<32 bytes base64>' }).pipe(keyEncryptionKeysSchema);

const ssoEnv = z
  .object({
    ...serviceEnv,
    PORT: z.coerce.number().int().min(0).max(65535).default(8082),
    /** `iss` of every platform token, e.g. https://sso.mindbot.example */
    SSO_ISSUER: z.url({ error: 'must be the issuer URL of platform tokens' }),
    SSO_AUDIENCE: z.string().min(1).default('mindbot-platform'),
    SSO_SIGNING_KEYS: signingKeySet,
    /** Which key of SSO_SIGNING_KEYS signs; the others are published (the next key, or the previous one). */
    SSO_SIGNING_KID: z.string().min(1, 'is required: the kid of the key that signs'),
    SSO_SECRET_KEYS: secretKeys,
    SSO_ACCESS_TOKEN_TTL_SECONDS: z.coerce.number().int().min(30).max(3600).default(600),
    SSO_REFRESH_TOKEN_TTL_SECONDS: z.coerce
      .number()
      .int()
      .min(300)
      .max(90 * 86_400)
      .default(14 * 86_400),
    SSO_SESSION_TTL_SECONDS: z.coerce
      .number()
      .int()
      .min(300)
      .max(365 * 86_400)
      .default(30 * 86_400),
    /** Tolerance for SAML NotBefore/NotOnOrAfter and ID-token times. */
    SSO_CLOCK_SKEW_SECONDS: z.coerce.number().int().min(0).max(300).default(60),
    SSO_SAML_MAX_BYTES: z.coerce
      .number()
      .int()
      .min(4_096)
      .max(5_000_000)
      .default(256 * 1024),
    /** Scheme of the URLs built from the request host (ACS, redirect URIs). */
    SSO_PUBLIC_SCHEME: z.enum(['https', 'http']).default('https'),
    /** DNS servers (ip or ip:port, comma separated) used for domain verification; the system's when unset. */
    SSO_DNS_SERVERS: z
      .string()
      .optional()
      .transform((v) =>
        v
          ? v
              .split(',')
              .map((s) => s.trim())
              .filter(Boolean)
          : undefined,
      ),
    /** Allows identity providers on http:// URLs: development and tests only. */
    SSO_ALLOW_INSECURE_IDP_URLS: envBoolean(false),
    SSO_PASSWORD_MAX_FAILURES: z.coerce.number().int().min(1).max(100).default(5),
    SSO_PASSWORD_LOCKOUT_SECONDS: z.coerce.number().int().min(1).max(86_400).default(900),
    /** Sign-in attempts (password login, SAML ACS, OIDC callback) allowed per client IP and per tenant in each window. */
    SSO_LOGIN_RATE_PER_IP: z.coerce.number().int().min(1).max(1_000_000).default(30),
    SSO_LOGIN_RATE_PER_TENANT: z.coerce.number().int().min(1).max(10_000_000).default(1_000),
    SSO_LOGIN_RATE_WINDOW_SECONDS: z.coerce.number().int().min(1).max(3_600).default(60),
    /** Where invitations and password-reset mail go (SMTP_URL, MAIL_FROM), as for the gateway's notifications. */
    ...mailEnv,
    /**
     * The port of the tenant origins in links mailed without a request to read the origin from (the
     * owners a Tenant names are invited by the platform): the gateway's public port, e.g. 8080
     * locally; unset for the scheme's default port.
     */
    SSO_PUBLIC_PORT: z.coerce.number().int().min(1).max(65535).optional(),
    /** Service credentials the platform presents on SSO's /internal routes (comma-separated, ≥ 32 characters each; two during rotation). */
    SSO_SERVICE_TOKENS: z
      .string()
      .default('')
      .transform((v) =>
        v
          .split(',')
          .map((t) => t.trim())
          .filter((t) => t.length > 0),
      )
      .pipe(z.array(z.string().min(32, 'each token must have at least 32 characters'))),
  })
  .superRefine((env, ctx) => {
    if (!env.SSO_SIGNING_KEYS.keys.some((k) => k.kid === env.SSO_SIGNING_KID)) {
      ctx.addIssue({ code: 'custom', path: ['SSO_SIGNING_KID'], message: 'must name one of the keys in SSO_SIGNING_KEYS' });
    }
    if (env.SSO_ALLOW_INSECURE_IDP_URLS && env.NODE_ENV === 'production') {
      ctx.addIssue({ code: 'custom', path: ['SSO_ALLOW_INSECURE_IDP_URLS'], message: 'must not be set in production' });
    }
  });

export type SsoConfig = z.output<typeof ssoEnv>;
export type PrivateSigningJwk = z.output<typeof privateSigningJwk>;

/** Reads `NAME_FILE` (a mounted secret) into `NAME` when set. */
function withMountedFiles(env: NodeJS.ProcessEnv, names: readonly string[]): NodeJS.ProcessEnv {
  const out: NodeJS.ProcessEnv = { ...env };
  for (const name of names) {
    const file = env[`${name}_FILE`];
    if (file && out[name] === undefined) out[name] = readFileSync(file, 'utf8').trim();
  }
  return out;
}

/** The only place the sso reads the environment (and the secret files it names). */
export function loadSsoConfig(env: NodeJS.ProcessEnv = process.env): SsoConfig {
  return loadConfig(ssoEnv, withMountedFiles(env, ['SSO_SIGNING_KEYS', 'SSO_SECRET_KEYS']));
}
