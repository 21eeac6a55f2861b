import { z } from 'zod';
import { isoDate } from './common-schemas.js';

// The public API's request and response shapes: the services validate with them, the gateway
// generates its OpenAPI document from them, the client in this package builds and parses with them.
// One source. This file holds the gateway's own routes; billing's and SSO's live beside it.

export const brandingSchema = z
  .object({
    tenant: z.string(),
    displayName: z.string(),
    logoUrl: z.string(),
    primaryColor: z.string(),
    accentColor: z.string(),
    agentName: z.string(),
    greeting: z.string(),
    language: z.string(),
    personas: z.array(z.object({ id: z.string(), name: z.string(), voice: z.string(), language: z.string(), greeting: z.string() })).meta({
      description:
        'The characters a user may pick when starting a voice session (`persona`), the default first; their instructions stay private.',
    }),
    defaultPersona: z.string(),
    ssoConnections: z
      .array(z.object({ id: z.string(), name: z.string(), kind: z.enum(['oidc', 'saml']) }))
      .optional()
      .meta({
        description:
          "The tenant's enabled SSO connections, oldest first, for sign-in buttons (`GET /v1/sso/login?connection=<id>`); absent when they could not be read just now.",
      }),
  })
  .meta({ id: 'Branding', description: "The tenant's public branding, for the web widget." });

export const API_KEY_PERMISSION_VALUES = ['voice:sessions', 'api-keys:read'] as const;

export const apiKeyCreateRequestSchema = z
  .object({
    name: z.string().trim().min(1).max(100),
    environment: z.enum(['live', 'test']).default('live'),
    permissions: z.array(z.enum(API_KEY_PERMISSION_VALUES)).min(1).max(API_KEY_PERMISSION_VALUES.length),
    expiresAt: z.iso.datetime({ offset: true }).optional(),
  })
  .strict()
  .meta({ id: 'ApiKeyCreateRequest' });

export const apiKeySchema = z
  .object({
    id: z.string(),
    name: z.string(),
    environment: z.enum(['live', 'test']),
    hint: z.string().meta({ description: "The key's last four characters." }),
    permissions: z.array(z.string()),
    createdBy: z.string().meta({ description: 'The user who made the key.' }),
    createdBySession: z
      .string()
      .nullable()
      .meta({ description: 'The session the key was made in (null for keys made before sessions were recorded).' }),
    createdAt: isoDate,
    lastUsedAt: isoDate.nullable(),
    expiresAt: isoDate.nullable(),
    revokedAt: isoDate.nullable(),
  })
  .meta({ id: 'ApiKey' });

export const apiKeyCreatedSchema = z
  .object({ key: z.string().meta({ description: 'The secret key: shown this once, never again.' }), apiKey: apiKeySchema })
  .meta({ id: 'ApiKeyCreated' });

export const apiKeyListSchema = z.object({ apiKeys: z.array(apiKeySchema) }).meta({ id: 'ApiKeyList' });

export const voiceSessionCreateRequestSchema = z
  .object({
    /** Makes a retried start answer the same session. */
    startKey: z
      .string()
      .regex(/^[A-Za-z0-9_.:-]{8,100}$/, 'must be 8–100 characters of letters, digits and _ . : -')
      .optional(),
    /** Which of the tenant's personas answers (see `personas` in GET /v1/branding); the tenant's default when omitted. */
    persona: z
      .string()
      .regex(/^[a-z][a-z0-9-]{0,39}$/, 'must be a persona id')
      .optional(),
    /** Only for API keys, which act for one of the tenant's users; a signed-in user always acts for themselves. */
    userId: z
      .string()
      .regex(/^[A-Za-z0-9_.:@-]{1,100}$/, 'must be a user id')
      .optional(),
  })
  .strict()
  .meta({ id: 'VoiceSessionCreateRequest' });

export const voiceSessionSchema = z
  .object({
    sessionId: z.string(),
    room: z.string(),
    livekitUrl: z.string(),
    token: z.string().meta({ description: 'A LiveKit access token that can join only this room.' }),
    tokenExpiresAt: isoDate,
    remainingSeconds: z.int(),
  })
  .meta({ id: 'VoiceSession' });

export const voiceSessionEndRequestSchema = z.object({}).strict().meta({ id: 'VoiceSessionEndRequest' });

export const voiceSessionEndedSchema = z
  .object({ sessionId: z.string(), status: z.string(), settledSeconds: z.int(), chargedSeconds: z.int() })
  .loose()
  .meta({ id: 'VoiceSessionEnded' });

/** LiveKit's webhook, acknowledged: `settled` when a finished room's session was settled in billing. */
export const livekitWebhookAckSchema = z.object({ received: z.boolean(), settled: z.boolean() }).meta({ id: 'LivekitWebhookAck' });

export type Branding = z.output<typeof brandingSchema>;
export type ApiKey = z.output<typeof apiKeySchema>;
export type ApiKeyCreateRequest = z.input<typeof apiKeyCreateRequestSchema>;
export type ApiKeyCreated = z.output<typeof apiKeyCreatedSchema>;
export type VoiceSession = z.output<typeof voiceSessionSchema>;
export type VoiceSessionCreateRequest = z.input<typeof voiceSessionCreateRequestSchema>;
export type VoiceSessionEnded = z.output<typeof voiceSessionEndedSchema>;

export { isoDate, problemSchema, type Problem, type JsonAnswer, type WithDates } from './common-schemas.js';
export {
  packageIdSchema,
  balanceSchema,
  packageSchema,
  packageListSchema,
  purchaseCreateRequestSchema,
  purchaseSchema,
  timeCardActivateRequestSchema,
  historyQuerySchema,
  reportQuerySchema,
  packageCreateRequestSchema,
  packageUpdateRequestSchema,
  purchaseListSchema,
  historyPageSchema,
  voiceSessionRecordSchema,
  voiceSessionRecordListSchema,
  voiceSessionTranscriptSchema,
  timeCardSchema,
  timeCardListSchema,
  timeCardActivationSchema,
  billingAccountSchema,
  onboardingLinkSchema,
  reportSchema,
  userReportQuerySchema,
  userReportSchema,
  resellerTenantsQuerySchema,
  resellerTenantListSchema,
  USER_REPORT_MAX_ROWS,
  RESELLER_TENANTS_MAX_ROWS,
  stripeWebhookAckSchema,
  type Balance,
  type Package,
  type Purchase,
  type HistoryPage,
  type TimeCard,
  type TimeCardActivation,
  type VoiceSessionRecord,
  type VoiceSessionTranscript,
  type UserReport,
  type ResellerTenantList,
} from './billing-schemas.js';
export {
  emailSchema,
  emailDomainSchema,
  tokenResponseSchema,
  passwordLoginRequestSchema,
  passwordRegisterRequestSchema,
  passwordResetRequestSchema,
  passwordResetConfirmRequestSchema,
  refreshRequestSchema,
  ssoLoginQuerySchema,
  ssoCodeExchangeRequestSchema,
  resellerHandoffRequestSchema,
  resellerHandoffSchema,
  oidcCallbackQuerySchema,
  samlPostSchema,
  samlLogoutPostSchema,
  logoutResponseSchema,
  meSchema,
  domainClaimRequestSchema,
  jwksSchema,
  domainSchema,
  domainListSchema,
  sessionsRevokedSchema,
  userStatusSchema,
  passwordResetAcceptedSchema,
  type TokenResponse,
  type Me,
} from './sso-schemas.js';
export {
  OIDC_ALGORITHMS,
  oidcSettingsSchema,
  oidcSecretsSchema,
  samlSettingsSchema,
  samlSecretsSchema,
  roleRulesSchema,
  connectionCreateRequestSchema,
  connectionUpdateRequestSchema,
  connectionSchema,
  connectionListSchema,
  type Connection,
  type OidcSettings,
  type OidcSecrets,
  type SamlSettings,
  type SamlSecrets,
  type RoleRule,
} from './sso-connection-schemas.js';
export * from './users-schemas.js';
export * from './audit-schemas.js';
export * from './branding-schemas.js';
export * from './webhook-schemas.js';
export * from './personal-data-schemas.js';
export * from './sso-connection-check-schemas.js';
export * from './notification-schemas.js';
