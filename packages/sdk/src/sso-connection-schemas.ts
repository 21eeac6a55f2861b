import { z } from 'zod';
import { isoDate } from './common-schemas.js';

// The settings of a tenant's SAML / OIDC connection, as an admin writes them and SSO stores them.

const httpUrl = z.url({ protocol: /^https?$/, error: 'must be an http(s) URL' }).max(2048);
const pemOrBase64Certificate = z
  .string()
  .max(20_000)
  .transform((v) => v.replace(/-----(BEGIN|END) CERTIFICATE-----/g, '').replace(/\s+/g, ''))
  .refine((v) => /^[A-Za-z0-9+/]+=*$/.test(v) && v.length > 100, 'must be an X.509 certificate (PEM or base64 DER)');

export const OIDC_ALGORITHMS = ['RS256', 'RS384', 'RS512', 'PS256', 'PS384', 'PS512', 'ES256', 'ES384', 'ES512', 'EdDSA'] as const;

/** One OAuth scope (RFC 6749 §3.3: printable ASCII but space, `"` and `\`). */
const OAUTH_SCOPE = /^[\x21\x23-\x5B\x5D-\x7E]+$/;

/**
 * The scopes an OIDC connection asks for, stored as one space-separated string that starts with
 * `openid`. Written as that string, or as an array of scopes that includes `openid` (stored with
 * `openid` first, each scope once, in the order given).
 */
const oidcScopesSchema = z.union(
  [
    z.string().regex(/^openid( [\x21\x23-\x5B\x5D-\x7E]+)*$/, 'must start with openid, scopes separated by spaces'),
    z
      .array(z.string().max(200).regex(OAUTH_SCOPE, 'must be one scope: no spaces, quotes or backslashes'))
      .min(1)
      .max(50)
      .refine((scopes) => scopes.includes('openid'), 'must include openid')
      .transform((scopes) => ['openid', ...new Set(scopes.filter((s) => s !== 'openid'))].join(' ')),
  ],
  {
    error:
      'must be a string of scopes separated by spaces that starts with openid, or an array of scopes (no spaces, quotes or backslashes) that includes openid',
  },
);

export const oidcSettingsSchema = z
  .object({
    issuer: httpUrl,
    clientId: z.string().min(1).max(255),
    /** The only algorithm accepted for ID-token signatures. */
    idTokenAlgorithm: z.enum(OIDC_ALGORITHMS).default('RS256'),
    scopes: oidcScopesSchema.default('openid email profile'),
    groupsClaim: z.string().min(1).max(100).default('groups'),
  })
  .strict();

export const oidcSecretsSchema = z.object({ clientSecret: z.string().min(1).max(1024) }).strict();

export const samlSettingsSchema = z
  .object({
    idpEntityId: z.string().min(1).max(1024),
    idpSsoUrl: httpUrl,
    idpSloUrl: httpUrl.optional(),
    /** The IdP's signing certificates; a signature by any other key is refused. */
    idpCertificates: z.array(pemOrBase64Certificate).min(1).max(4),
    allowIdpInitiated: z.boolean().default(false),
    /** Refuse assertions that are not encrypted to the SP certificate. */
    requireEncryptedAssertions: z.boolean().default(false),
    /** The SP's certificate (public) published in its metadata for encryption and request signatures. */
    spCertificate: pemOrBase64Certificate.optional(),
    nameIdFormat: z.string().max(255).optional(),
    emailAttribute: z.string().min(1).max(255).default('email'),
    groupsAttribute: z.string().min(1).max(255).default('groups'),
    displayNameAttribute: z.string().min(1).max(255).default('displayName'),
  })
  .strict();

export const samlSecretsSchema = z.object({ spPrivateKey: z.string().min(1).max(20_000).optional() }).strict();

export const roleRulesSchema = z.array(z.object({ group: z.string().min(1).max(255), role: z.string().min(1).max(100) }).strict()).max(100);

const connectionCommon = {
  name: z.string().trim().min(1).max(100),
  status: z.enum(['active', 'disabled']).default('active'),
  roleRules: roleRulesSchema.default([]),
  defaultRoles: z.array(z.string().min(1).max(100)).max(20).default(['member']),
};

export const connectionCreateRequestSchema = z
  .discriminatedUnion('kind', [
    z.object({ kind: z.literal('oidc'), ...connectionCommon, settings: oidcSettingsSchema, secrets: oidcSecretsSchema }).strict(),
    z
      .object({
        kind: z.literal('saml'),
        ...connectionCommon,
        /** Settings; the IdP part may come from metadataXml or metadataUrl instead. */
        settings: z.record(z.string(), z.unknown()).default({}),
        secrets: samlSecretsSchema.default({}),
        metadataXml: z.string().max(1_000_000).optional(),
        metadataUrl: z.url().max(2048).optional(),
      })
      .strict(),
  ])
  .meta({ id: 'ConnectionCreateRequest' });

export const connectionUpdateRequestSchema = z
  .object({
    name: connectionCommon.name.optional(),
    status: z.enum(['active', 'disabled']).optional(),
    settings: z.record(z.string(), z.unknown()).optional(),
    secrets: z.record(z.string(), z.unknown()).optional(),
    roleRules: roleRulesSchema.optional(),
    defaultRoles: connectionCommon.defaultRoles.optional(),
  })
  .strict()
  .meta({ id: 'ConnectionUpdateRequest' });

const connectionViewCommon = {
  id: z.string(),
  name: z.string(),
  status: z.enum(['active', 'disabled']),
  secretsSet: z.array(z.string()).meta({ description: 'Which secrets are set; their values are never returned.' }),
  roleRules: z.array(z.object({ group: z.string(), role: z.string() })),
  defaultRoles: z.array(z.string()),
  createdAt: isoDate,
  updatedAt: isoDate,
};

/** A connection as SSO answers it: settings as stored, the URLs to give the IdP, never a secret. */
export const connectionSchema = z
  .discriminatedUnion('kind', [
    z
      .object({
        kind: z.literal('oidc'),
        ...connectionViewCommon,
        settings: z
          .object({
            issuer: z.string(),
            clientId: z.string(),
            idTokenAlgorithm: z.enum(OIDC_ALGORITHMS),
            scopes: z.string(),
            groupsClaim: z.string(),
          })
          .loose(),
        oidc: z.object({ redirectUri: z.string() }),
      })
      .loose(),
    z
      .object({
        kind: z.literal('saml'),
        ...connectionViewCommon,
        settings: z
          .object({
            idpEntityId: z.string(),
            idpSsoUrl: z.string(),
            idpSloUrl: z.string().optional(),
            idpCertificates: z.array(z.string()).meta({ description: 'Base64 DER.' }),
            allowIdpInitiated: z.boolean(),
            requireEncryptedAssertions: z.boolean(),
            spCertificate: z.string().optional(),
            nameIdFormat: z.string().optional(),
            emailAttribute: z.string(),
            groupsAttribute: z.string(),
            displayNameAttribute: z.string(),
          })
          .loose(),
        saml: z.object({ entityId: z.string(), acsUrl: z.string(), sloUrl: z.string(), metadataUrl: z.string() }),
      })
      .loose(),
  ])
  .meta({ id: 'Connection' });

export const connectionListSchema = z.object({ connections: z.array(connectionSchema) }).meta({ id: 'ConnectionList' });

export type Connection = z.output<typeof connectionSchema>;
export type OidcSettings = z.output<typeof oidcSettingsSchema>;
export type OidcSecrets = z.output<typeof oidcSecretsSchema>;
export type SamlSettings = z.output<typeof samlSettingsSchema>;
export type SamlSecrets = z.output<typeof samlSecretsSchema>;
export type RoleRule = z.output<typeof roleRulesSchema>[number];
