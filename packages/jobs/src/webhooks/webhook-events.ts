import type { Prisma, TenantTransaction } from '@mindbot/db';
import { webhookEventDataSchemas, type WebhookEventInput } from '@mindbot/sdk/schemas';
import { enqueue } from '../outbox.js';
import { newWebhookId } from './webhook-ids.js';

/** The queue of webhook deliveries: one job per event and endpoint, run in order per endpoint. */
export const WEBHOOK_DELIVERY_QUEUE = 'webhooks.deliver';
/** The largest body sent; a bigger event is refused when it is emitted, not when it is sent. */
export const WEBHOOK_MAX_BODY_BYTES = 256 * 1024;

/**
 * Events the platform itself acts on (the user's e-mail, docs/adr/0058-branded-notifications.md):
 * queued with every emit of such a type, whether or not an endpoint subscribes to it.
 */
export const PLATFORM_EVENT_QUEUE = 'events.platform';
const PLATFORM_EVENT_TYPES: ReadonlySet<string> = new Set<WebhookEventInput['type']>(['purchase.completed', 'balance.low']);

/** What a platform event job carries: the event as emitted. */
export interface PlatformEventJob {
  type: WebhookEventInput['type'];
  data: Prisma.InputJsonObject;
  occurredAt: string;
}

/** What a delivery job carries: which event, to which endpoint. */
export interface WebhookDeliveryJob {
  endpointId: string;
  eventId: string;
}

/**
 * Records an event and queues its delivery to each active endpoint of the tenant subscribed to its
 * type, in the caller's tenant transaction: the event is sent if and only if that transaction
 * commits; the types the platform acts on itself are queued for it too (PLATFORM_EVENT_QUEUE). `data` is checked against the event type's schema (@mindbot/sdk) and throws when it does
 * not match: that is a bug of the emitter, not an input error. Returns the event id (null when no
 * endpoint wants the event, which is then not stored).
 */
export async function emitWebhookEvent(tx: TenantTransaction, event: WebhookEventInput, occurredAt = new Date()): Promise<string | null> {
  const data = webhookEventDataSchemas[event.type].parse(event.data);
  if (PLATFORM_EVENT_TYPES.has(event.type)) {
    await enqueue(tx, PLATFORM_EVENT_QUEUE, { type: event.type, data, occurredAt: occurredAt.toISOString() } satisfies PlatformEventJob);
  }
  const endpoints = await tx.webhookEndpoint.findMany({
    where: { status: 'active', events: { has: event.type } },
    select: { id: true },
    orderBy: { id: 'asc' },
  });
  if (endpoints.length === 0) return null;
  const id = await recordWebhookEvent(tx, event.type, data, occurredAt);
  for (const endpoint of endpoints) await queueWebhookDelivery(tx, endpoint.id, id);
  return id;
}

/** Stores an event's body once (whatever the number of endpoints); its id is the webhook-id of every attempt. */
export async function recordWebhookEvent(
  tx: TenantTransaction,
  type: string,
  data: Prisma.InputJsonObject,
  occurredAt: Date,
): Promise<string> {
  const id = newWebhookId('event');
  const payload = { id, type, timestamp: occurredAt.toISOString(), data };
  if (Buffer.byteLength(JSON.stringify(payload)) > WEBHOOK_MAX_BODY_BYTES) {
    throw new Error(`A ${type} webhook event is larger than ${WEBHOOK_MAX_BODY_BYTES} bytes`);
  }
  await tx.webhookEvent.create({ data: { id, type, payload, createdAt: occurredAt } });
  return id;
}

/** Queues one delivery (an emitted event, a replay, a test), behind the endpoint's earlier ones. */
export async function queueWebhookDelivery(tx: TenantTransaction, endpointId: string, eventId: string): Promise<void> {
  await enqueue(tx, WEBHOOK_DELIVERY_QUEUE, { endpointId, eventId } satisfies WebhookDeliveryJob, { orderingKey: endpointId });
}
