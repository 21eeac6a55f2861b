/**
 * The Prisma delegates of models that live in every tenant schema (`/// @schema tenant` in
 * schema.prisma). Everything else is a platform model. The schema-agreement test keeps this list
 * and schema.prisma in step, so adding a tenant model means adding its delegate name here.
 */
export const TENANT_MODEL_DELEGATES = [
  'user',
  'role',
  'userRole',
  'auditEvent',
  'package',
  'purchase',
  'timeCard',
  'minuteLot',
  'voiceSession',
  'voiceSessionEvent',
  'ledgerEntry',
  'processedWebhookEvent',
  'ssoConnection',
  'ssoDomain',
  'userIdentity',
  'authSession',
  'refreshToken',
  'passwordResetToken',
  'invitation',
  'apiKey',
  'outboxEvent',
  'webhookEndpoint',
  'webhookEvent',
  'webhookDelivery',
  'notificationPreference',
  'sentNotification',
] as const;

export type TenantModelDelegate = (typeof TENANT_MODEL_DELEGATES)[number];
