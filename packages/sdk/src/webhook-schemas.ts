import { z } from 'zod';
import { isoDate } from './common-schemas.js';

/**
 * Outbound webhooks: the events a tenant can subscribe to, the body of each, and the admin API's
 * requests and answers (docs/webhooks.md, docs/adr/0056-durable-jobs-and-outbound-webhooks.md).
 */

const id = z.string().min(1).max(100);
const currency = z.string().regex(/^[a-z]{3}$/, 'must be an ISO 4217 code in lower case');

/** The `data` of each event type, as receivers get it. */
export const webhookEventDataSchemas = {
  'purchase.completed': z
    .object({
      purchaseId: id,
      userId: id,
      packageId: id,
      amount: z.int().min(0).meta({ description: 'What was paid, in the smallest unit of the currency.' }),
      currency,
      seconds: z.int().min(0).meta({ description: 'Talk time bought.' }),
    })
    .strict(),
  'time_card.activated': z
    .object({
      timeCardId: id,
      userId: id,
      seconds: z.int().min(0),
      expiresAt: isoDate.nullable(),
    })
    .strict(),
  'session.ended': z
    .object({
      sessionId: id,
      userId: id,
      startedAt: isoDate,
      endedAt: isoDate,
      billedSeconds: z.int().min(0),
    })
    .strict(),
  'balance.low': z
    .object({
      userId: id,
      secondsAvailable: z.int().min(0),
      thresholdSeconds: z.int().min(0),
    })
    .strict(),
  'user.created': z
    .object({
      userId: id,
      email: z.email(),
      roles: z.array(z.string().max(100)).max(50),
    })
    .strict(),
} as const;

export type WebhookEventType = keyof typeof webhookEventDataSchemas;
export const WEBHOOK_EVENT_TYPES = Object.keys(webhookEventDataSchemas) as [WebhookEventType, ...WebhookEventType[]];
/** Sent only by POST /v1/webhook-endpoints/{id}/test, to that endpoint, whatever it subscribes to. */
export const WEBHOOK_TEST_EVENT_TYPE = 'webhook.test';

export type WebhookEventData<T extends WebhookEventType> = z.output<(typeof webhookEventDataSchemas)[T]>;
/** What an emitter hands over: the type and its data, checked against the type's schema. */
export type WebhookEventInput = { [T in WebhookEventType]: { type: T; data: WebhookEventData<T> } }[WebhookEventType];

/** The body of every delivery: the Standard Webhooks shape, plus the id (also the webhook-id header). */
export const webhookEventBodySchema = z
  .object({
    id: z.string().meta({ description: 'The event id; the same in the webhook-id header, and across retries and replays.' }),
    type: z.string(),
    timestamp: isoDate.meta({ description: 'When the event happened.' }),
    data: z.record(z.string(), z.unknown()),
  })
  .meta({ id: 'WebhookEventBody' });

const eventTypeList = z
  .array(z.enum(WEBHOOK_EVENT_TYPES, { error: `must be one of ${WEBHOOK_EVENT_TYPES.join(', ')}` }))
  .min(1, 'must name at least one event type')
  .max(WEBHOOK_EVENT_TYPES.length * 2);

const url = z
  .string()
  .max(2048, 'must be at most 2048 characters')
  .pipe(z.url({ protocol: /^https?$/, error: 'must be an absolute http(s) URL' }));

export const webhookEndpointCreateSchema = z
  .object({
    url,
    description: z.string().max(500, 'must be at most 500 characters').default(''),
    events: eventTypeList,
  })
  .strict();

export const webhookEndpointUpdateSchema = z
  .object({
    url: url.optional(),
    description: z.string().max(500, 'must be at most 500 characters').optional(),
    events: eventTypeList.optional(),
    status: z.enum(['active', 'disabled']).optional().meta({ description: '`active` re-enables an endpoint that was disabled.' }),
  })
  .strict();

export const webhookEndpointSchema = z
  .object({
    id: z.string(),
    url: z.string(),
    description: z.string(),
    events: z.array(z.string()),
    status: z.enum(['active', 'disabled']),
    disabledReason: z.string().nullable(),
    failureStreak: z.int().meta({ description: 'Failed attempts in a row.' }),
    createdBy: z.string(),
    createdAt: isoDate,
    updatedAt: isoDate,
  })
  .meta({ id: 'WebhookEndpoint' });

export const webhookEndpointListSchema = z.object({ endpoints: z.array(webhookEndpointSchema) }).meta({ id: 'WebhookEndpointList' });

/** Creation and rotation: the signing secret, shown in this answer only. */
export const webhookEndpointWithSecretSchema = z
  .object({
    endpoint: webhookEndpointSchema,
    secret: z.string().meta({ description: 'The signing secret (whsec_…), shown once.' }),
  })
  .meta({ id: 'WebhookEndpointWithSecret' });

export const webhookDeliverySchema = z
  .object({
    id: z.string(),
    endpointId: z.string(),
    eventId: z.string(),
    eventType: z.string(),
    attempt: z.int(),
    status: z.enum(['succeeded', 'failed', 'skipped']),
    responseStatus: z.int().nullable(),
    error: z.string().nullable(),
    durationMs: z.int().nullable(),
    createdAt: isoDate,
    nextAttemptAt: isoDate.nullable().meta({ description: 'When the next attempt is due, after a failure that will be retried.' }),
  })
  .meta({ id: 'WebhookDelivery' });

export const webhookDeliveryQuerySchema = z
  .object({
    cursor: z
      .string()
      .regex(/^whd_[0-9a-hjkmnp-tv-z]{26}$/, 'must be the nextCursor of a previous page')
      .optional(),
    limit: z.coerce.number().int().min(1).max(200).default(50),
  })
  .strict();

export const webhookDeliveryPageSchema = z
  .object({ deliveries: z.array(webhookDeliverySchema), nextCursor: z.string().nullable() })
  .meta({ id: 'WebhookDeliveryPage' });

/** Replay and test: the event queued for a new attempt. */
export const webhookQueuedSchema = z.object({ eventId: z.string(), endpointId: z.string() }).meta({ id: 'WebhookQueued' });

export type WebhookEndpoint = z.output<typeof webhookEndpointSchema>;
export type WebhookDelivery = z.output<typeof webhookDeliverySchema>;
