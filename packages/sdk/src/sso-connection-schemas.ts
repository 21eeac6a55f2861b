import { z } from 'zod';

// The settings of a tenant's SAML / OIDC connection, as an admin writes them and SSO stores them.

const httpUrl = z.url({ protocol: /^https?$/, error: 'must be an http(s) URL' }).max(2048);
const pemOrBase64Certificate = z
  .string()
  .max(20_000)
  .transform((v) => v.replace(/-----(BEGIN|END) CERTIFICATE-----/g, '').replace(/\s+/g, ''))
  .refine((v) => /^[A-Za-z0-9+/]+=*$/.test(v) && v.length > 100, 'must be an X.509 certificate (PEM or base64 DER)');

export const OIDC_ALGORITHMS = ['RS256', 'RS384', 'RS512', 'PS256', 'PS384', 'PS512', 'ES256', 'ES384', 'ES512', 'EdDSA'] as const;

export const oidcSettingsSchema = z
  .object({
    issuer: httpUrl,
    clientId: z.string().min(1).max(255),
    /** The only algorithm accepted for ID-token signatures. */
    idTokenAlgorithm: z.enum(OIDC_ALGORITHMS).default('RS256'),
    scopes: z.string().regex(/^openid( [\x21\x23-\x5B\x5D-\x7E]+)*$/, 'must start with openid, scopes separated by spaces').default('openid email profile'),
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

export type OidcSettings = z.output<typeof oidcSettingsSchema>;
export type OidcSecrets = z.output<typeof oidcSecretsSchema>;
export type SamlSettings = z.output<typeof samlSettingsSchema>;
export type SamlSecrets = z.output<typeof samlSecretsSchema>;
export type RoleRule = z.output<typeof roleRulesSchema>[number];
