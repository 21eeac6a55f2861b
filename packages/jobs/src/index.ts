export { enqueue, OUTBOX_CHANNEL, type JobPayload } from './outbox.js';
export { jobIdOf } from './job-id.js';
export type { RelayedJob, QueueDefinitions } from './job-queues.js';
export { OutboxRelay, type OutboxRelayOptions } from './outbox-relay.js';
export { registerJobMetrics, type JobMetrics, type QueueCounts } from './jobs-metrics.js';
export {
  Jobs,
  JOBS_SCHEMA,
  WEBHOOK_QUEUE_DEFAULTS,
  PLATFORM_EVENT_QUEUE_DEFAULTS,
  type JobsOptions,
  type RelayedWorker,
  type ScheduledWorker,
} from './jobs-runtime.js';
export {
  emitWebhookEvent,
  recordWebhookEvent,
  queueWebhookDelivery,
  WEBHOOK_DELIVERY_QUEUE,
  WEBHOOK_MAX_BODY_BYTES,
  PLATFORM_EVENT_QUEUE,
  type PlatformEventJob,
  type WebhookDeliveryJob,
} from './webhooks/webhook-events.js';
export { newWebhookId, isWebhookId, type WebhookIdKind } from './webhooks/webhook-ids.js';
export { newWebhookSecret, webhookHeaders } from './webhooks/webhook-signature.js';
export { WebhookSecrets } from './webhooks/webhook-secrets.js';
export {
  checkWebhookTarget,
  pinnedLookup,
  refusedAddress,
  refusedLiteralHost,
  systemResolve,
  type Resolve,
  type TargetPolicy,
  type TargetRefusal,
} from './webhooks/webhook-targets.js';
export { WebhookDeliverer, type WebhookDeliveryOptions } from './webhooks/webhook-deliverer.js';
export { logNotices, type WebhookNotices, type EndpointDisabledNotice } from './webhooks/webhook-notices.js';
