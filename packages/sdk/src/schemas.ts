import { z } from 'zod';

// The public API's request and response shapes: the gateway validates with them and generates its
// OpenAPI document from them; the client in this package parses responses with them. One source.

const isoDate = z.string().meta({ format: 'date-time' });

/** RFC 9457 problem document, as every error is answered. */
export const problemSchema = z
  .object({
    type: z.string(),
    title: z.string(),
    status: z.int(),
    detail: z.string(),
    code: z.string(),
    instance: z.string().optional(),
    requestId: z.string().optional(),
    errors: z.array(z.object({ path: z.string(), message: z.string() })).optional(),
  })
  .loose()
  .meta({ id: 'Problem' });

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
    createdBy: z.string(),
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

// Served by billing and SSO through the gateway; described here for the client (loose: the services may add fields).
export const balanceSchema = z
  .object({
    availableSeconds: z.int(),
    totalSeconds: z.int(),
    heldSeconds: z.int(),
    lots: z.array(z.object({ id: z.string(), timeCardId: z.string(), grantedSeconds: z.int(), remainingSeconds: z.int(), expiresAt: isoDate }).loose()),
  })
  .loose()
  .meta({ id: 'Balance' });

export const packageSchema = z
  .object({
    id: z.string(),
    name: z.string(),
    description: z.string(),
    priceCents: z.int(),
    currency: z.string(),
    baseSeconds: z.int(),
    bonusSeconds: z.int(),
    totalSeconds: z.int(),
  })
  .loose()
  .meta({ id: 'Package' });

export const packageListSchema = z.object({ packages: z.array(packageSchema) }).loose().meta({ id: 'PackageList' });

export const purchaseCreateRequestSchema = z.object({ packageId: z.string() }).strict().meta({ id: 'PurchaseCreateRequest' });

export const purchaseSchema = z
  .object({ id: z.string(), packageId: z.string(), status: z.string(), checkoutUrl: z.string().nullable() })
  .loose()
  .meta({ id: 'Purchase' });

export const timeCardActivateRequestSchema = z.object({ code: z.string() }).strict().meta({ id: 'TimeCardActivateRequest' });

export const passwordLoginRequestSchema = z.object({ email: z.string(), password: z.string() }).strict().meta({ id: 'PasswordLoginRequest' });

export const tokenResponseSchema = z
  .object({ token_type: z.literal('Bearer'), access_token: z.string(), expires_in: z.int(), refresh_token: z.string(), session_id: z.string() })
  .loose()
  .meta({ id: 'TokenResponse' });

export const refreshRequestSchema = z.object({ grant_type: z.literal('refresh_token'), refresh_token: z.string() }).strict().meta({ id: 'RefreshRequest' });

export type Branding = z.output<typeof brandingSchema>;
export type ApiKey = z.output<typeof apiKeySchema>;
export type ApiKeyCreateRequest = z.input<typeof apiKeyCreateRequestSchema>;
export type ApiKeyCreated = z.output<typeof apiKeyCreatedSchema>;
export type VoiceSession = z.output<typeof voiceSessionSchema>;
export type VoiceSessionCreateRequest = z.input<typeof voiceSessionCreateRequestSchema>;
export type VoiceSessionEnded = z.output<typeof voiceSessionEndedSchema>;
export type Balance = z.output<typeof balanceSchema>;
export type Package = z.output<typeof packageSchema>;
export type Purchase = z.output<typeof purchaseSchema>;
export type TokenResponse = z.output<typeof tokenResponseSchema>;
export type Problem = z.output<typeof problemSchema>;
