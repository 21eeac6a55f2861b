import { z } from 'zod';
import { isoDate } from './common-schemas.js';

// The SSO service's public request and response shapes: SSO validates with them, the gateway
// documents them in /openapi.json, the client builds and parses with them.

export const emailSchema = z
  .string()
  .trim()
  .toLowerCase()
  .max(254)
  .regex(/^[^\s@]{1,64}@[^\s@]{1,253}\.[^\s@]{2,}$/, 'must be an email address');

export const emailDomainSchema = z
  .string()
  .trim()
  .toLowerCase()
  .max(253)
  .regex(/^([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$/, 'must be a domain name such as example.com');

/** What SSO answers after every successful sign-in (password, SAML ACS, OIDC callback, refresh). */
export const tokenResponseSchema = z
  .object({
    token_type: z.literal('Bearer'),
    access_token: z.string(),
    expires_in: z.int(),
    refresh_token: z.string(),
    session_id: z.string(),
  })
  .loose()
  .meta({ id: 'TokenResponse' });

export const passwordLoginRequestSchema = z
  .object({ email: emailSchema, password: z.string().min(1).max(1024) })
  .strict()
  .meta({ id: 'PasswordLoginRequest' });

export const passwordRegisterRequestSchema = z
  .object({ email: emailSchema, password: z.string().max(1024), displayName: z.string().trim().min(1).max(200).optional() })
  .strict()
  .meta({ id: 'PasswordRegisterRequest' });

export const passwordResetRequestSchema = z.object({ email: emailSchema }).strict().meta({ id: 'PasswordResetRequest' });

export const passwordResetConfirmRequestSchema = z
  .object({ token: z.string().min(1).max(200), password: z.string().max(1024) })
  .strict()
  .meta({ id: 'PasswordResetConfirmRequest' });

export const refreshRequestSchema = z
  .object({ grant_type: z.literal('refresh_token'), refresh_token: z.string().min(1).max(200) })
  .strict()
  .meta({ id: 'RefreshRequest' });

/** A PKCE (RFC 7636) S256 challenge or verifier: base64url, 43–128 characters. */
const pkceValue = z.string().regex(/^[A-Za-z0-9_-]{43,128}$/, 'must be 43–128 base64url characters');

/**
 * GET /v1/sso/login: exactly one of a connection id or an email whose verified domain names one.
 * With `returnTo` (one of the tenant's own origins) the IdP's answer ends in a 303 to it carrying a
 * one-time code in the fragment instead of tokens; `code_challenge` binds that code to a PKCE verifier.
 */
export const ssoLoginQuerySchema = z.object({
  connection: z.string().min(1).max(64).optional(),
  email: emailSchema.optional(),
  returnTo: z.string().min(1).max(2048).optional().meta({
    description:
      "Where the browser goes after sign-in, on one of the tenant's own origins; the code comes back in its fragment (`#code=…`).",
  }),
  code_challenge: pkceValue
    .optional()
    .meta({ description: 'PKCE S256 challenge; the code exchange must then send the matching code_verifier. Only with returnTo.' }),
  code_challenge_method: z.literal('S256').optional(),
});

/** POST /v1/sso/exchange: the one-time code from a returnTo redirect (and the PKCE verifier, when a challenge was sent) for platform tokens. */
export const ssoCodeExchangeRequestSchema = z
  .object({ code: z.string().min(16).max(128), code_verifier: pkceValue.optional() })
  .strict()
  .meta({ id: 'SsoCodeExchangeRequest' });

export const resellerHandoffRequestSchema = z
  .object({
    tenant: z
      .string()
      .min(3)
      .max(40)
      .regex(/^[a-z]([a-z0-9-]*[a-z0-9])?$/, 'must be a tenant slug')
      .meta({ description: 'The tenant this reseller sells to, whose console to open.' }),
  })
  .strict()
  .meta({ id: 'ResellerHandoffRequest' });

export const resellerHandoffSchema = z
  .object({
    tenant: z.string(),
    consoleUrl: z.string().meta({
      description:
        "Open this in the browser: the tenant's console, which redeems the single-use code in its fragment (POST /v1/sso/exchange, within 60 s) and signs you in there with the reseller role.",
    }),
    expiresInSeconds: z.int(),
  })
  .meta({ id: 'ResellerHandoff' });

/** The IdP's answer at the OIDC callback (authorization code flow: code + state, or an error). */
export const oidcCallbackQuerySchema = z.object({
  code: z.string().optional(),
  state: z.string().max(200),
  iss: z.string().optional(),
  error: z.string().optional(),
  error_description: z.string().optional(),
});

/** The IdP's HTTP-POST binding at the SAML ACS: a base64 SAML Response (a form post). */
export const samlPostSchema = z.object({
  SAMLResponse: z.string().regex(/^[A-Za-z0-9+/=\s]+$/, 'must be base64'),
  RelayState: z.string().optional(),
});

/** SAML single logout by HTTP-POST: the IdP's LogoutRequest, or its LogoutResponse to one this SP sent. */
export const samlLogoutPostSchema = z.object({
  SAMLRequest: z.string().optional(),
  SAMLResponse: z.string().optional(),
  RelayState: z.string().optional(),
});

/** The answer of a logout whose SAML IdP session should end too: send the browser to logoutUrl. */
export const logoutResponseSchema = z.object({ logoutUrl: z.string() }).meta({ id: 'LogoutResponse' });

export const meSchema = z
  .object({
    id: z.string(),
    tenant: z.string(),
    email: z.string(),
    displayName: z.string().nullable(),
    roles: z.array(z.string()),
    identities: z.array(z.object({ connectionId: z.string(), groups: z.array(z.string()) }).loose()),
    sessionId: z.string(),
  })
  .loose()
  .meta({ id: 'Me' });

export const domainClaimRequestSchema = z
  .object({ domain: emailDomainSchema, connectionId: z.string().min(1).max(64).nullable().default(null) })
  .strict()
  .meta({ id: 'DomainClaimRequest' });

export const jwksSchema = z.object({ keys: z.array(z.object({ kty: z.string(), kid: z.string() }).loose()) }).meta({ id: 'Jwks' });

/** A claimed email domain and the TXT record that proves it. */
export const domainSchema = z
  .object({
    domain: z.string(),
    connectionId: z.string().nullable(),
    verified: z.boolean(),
    verifiedAt: isoDate.nullable(),
    txtRecord: z.object({ name: z.string(), value: z.string() }),
  })
  .loose()
  .meta({ id: 'Domain' });

export const domainListSchema = z
  .object({ data: z.array(domainSchema) })
  .loose()
  .meta({ id: 'DomainList' });

export const sessionsRevokedSchema = z.object({ sessionsEnded: z.int() }).meta({ id: 'SessionsRevoked' });

/** A user blocked (`disabled`: no sign-in, no refresh, every session ended) or unblocked (`active`) by an admin. */
export const userStatusSchema = z
  .object({ userId: z.string(), status: z.enum(['active', 'disabled']), sessionsEnded: z.int() })
  .meta({ id: 'UserStatus' });

export const passwordResetAcceptedSchema = z.object({ status: z.literal('accepted') }).meta({ id: 'PasswordResetAccepted' });

export type TokenResponse = z.output<typeof tokenResponseSchema>;
export type Me = z.output<typeof meSchema>;
