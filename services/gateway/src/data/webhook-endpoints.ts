import type { TenantClients, TenantTransaction } from '@mindbot/db';
import { newId } from '@mindbot/ids';
import { queueWebhookDelivery, recordWebhookEvent } from '@mindbot/jobs';
import { WEBHOOK_TEST_EVENT_TYPE } from '@mindbot/sdk/schemas';

export interface WebhookEndpointRow {
  id: string;
  url: string;
  description: string;
  events: string[];
  secret: string;
  status: string;
  disabledReason: string | null;
  failureStreak: number;
  createdBy: string;
  createdAt: Date;
  updatedAt: Date;
}

export interface WebhookDeliveryRow {
  id: string;
  endpointId: string;
  eventId: string;
  eventType: string;
  attempt: number;
  status: string;
  responseStatus: number | null;
  error: string | null;
  durationMs: number | null;
  createdAt: Date;
  nextAttemptAt: Date | null;
}

export interface EndpointChange {
  url?: string | undefined;
  description?: string | undefined;
  events?: string[] | undefined;
  status?: 'active' | 'disabled' | undefined;
}

const audit = (tx: TenantTransaction, actorId: string, action: string, target: string, data: Record<string, string | string[] | null>) =>
  tx.auditEvent.create({ data: { id: newId('audit'), actorId, action, target, data } });

/** A tenant's webhook endpoints and their delivery log, in the tenant's own schema; every change audited. */
export class WebhookEndpointRecords {
  constructor(private readonly tenants: TenantClients) {}

  create(
    tenant: string,
    input: { id: string; url: string; description: string; events: string[]; secret: string },
    actor: string,
  ): Promise<WebhookEndpointRow> {
    return this.tenants.forTenant(tenant).transaction(async (tx) => {
      const row = await tx.webhookEndpoint.create({ data: { ...input, createdBy: actor } });
      await audit(tx, actor, 'webhook_endpoint.created', row.id, { url: row.url, events: row.events });
      return row;
    });
  }

  list(tenant: string): Promise<WebhookEndpointRow[]> {
    return this.tenants.forTenant(tenant).transaction((tx) => tx.webhookEndpoint.findMany({ orderBy: { id: 'desc' }, take: 500 }));
  }

  get(tenant: string, id: string): Promise<WebhookEndpointRow | null> {
    return this.tenants.forTenant(tenant).transaction((tx) => tx.webhookEndpoint.findUnique({ where: { id } }));
  }

  /** Applies a change; re-enabling clears the reason and the failure streak. Null when the tenant has no such endpoint. */
  update(tenant: string, id: string, change: EndpointChange, actor: string): Promise<WebhookEndpointRow | null> {
    return this.tenants.forTenant(tenant).transaction(async (tx) => {
      const found = await tx.webhookEndpoint.findUnique({ where: { id } });
      if (!found) return null;
      const reEnabled = change.status === 'active' && found.status !== 'active';
      const row = await tx.webhookEndpoint.update({
        where: { id },
        data: {
          ...(change.url === undefined ? {} : { url: change.url }),
          ...(change.description === undefined ? {} : { description: change.description }),
          ...(change.events === undefined ? {} : { events: change.events }),
          ...(change.status === 'disabled' && found.status !== 'disabled'
            ? { status: 'disabled', disabledReason: `disabled by ${actor}` }
            : {}),
          ...(reEnabled ? { status: 'active', disabledReason: null, failureStreak: 0, failingSince: null } : {}),
          updatedAt: new Date(),
        },
      });
      await audit(tx, actor, reEnabled ? 'webhook_endpoint.enabled' : 'webhook_endpoint.updated', id, {
        url: row.url,
        events: row.events,
        status: row.status,
      });
      return row;
    });
  }

  remove(tenant: string, id: string, actor: string): Promise<boolean> {
    return this.tenants.forTenant(tenant).transaction(async (tx) => {
      const { count } = await tx.webhookEndpoint.deleteMany({ where: { id } });
      if (count > 0) await audit(tx, actor, 'webhook_endpoint.deleted', id, {});
      return count > 0;
    });
  }

  rotateSecret(tenant: string, id: string, secret: string, actor: string): Promise<WebhookEndpointRow | null> {
    return this.tenants.forTenant(tenant).transaction(async (tx) => {
      const { count } = await tx.webhookEndpoint.updateMany({ where: { id }, data: { secret, updatedAt: new Date() } });
      if (count === 0) return null;
      await audit(tx, actor, 'webhook_endpoint.secret_rotated', id, {});
      return tx.webhookEndpoint.findUnique({ where: { id } });
    });
  }

  /** A page of an endpoint's delivery log, newest first (ids sort by time); null when the tenant has no such endpoint. */
  deliveries(
    tenant: string,
    endpointId: string,
    page: { cursor?: string | undefined; limit: number },
  ): Promise<WebhookDeliveryRow[] | null> {
    return this.tenants.forTenant(tenant).transaction(async (tx) => {
      if (!(await tx.webhookEndpoint.findUnique({ where: { id: endpointId }, select: { id: true } }))) return null;
      return tx.webhookDelivery.findMany({
        where: { endpointId, ...(page.cursor === undefined ? {} : { id: { lt: page.cursor } }) },
        orderBy: { id: 'desc' },
        take: page.limit,
      });
    });
  }

  /** Queues a new attempt of the event of a logged delivery; null when the tenant has no such delivery. */
  replay(
    tenant: string,
    deliveryId: string,
    actor: string,
  ): Promise<{ eventId: string; endpointId: string; endpointStatus: string } | null> {
    return this.tenants.forTenant(tenant).transaction(async (tx) => {
      const delivery = await tx.webhookDelivery.findUnique({ where: { id: deliveryId } });
      if (!delivery) return null;
      const endpoint = await tx.webhookEndpoint.findUnique({ where: { id: delivery.endpointId }, select: { status: true } });
      if (!endpoint) return null;
      if (endpoint.status === 'active') {
        await queueWebhookDelivery(tx, delivery.endpointId, delivery.eventId);
        await audit(tx, actor, 'webhook_delivery.replayed', deliveryId, { eventId: delivery.eventId });
      }
      return { eventId: delivery.eventId, endpointId: delivery.endpointId, endpointStatus: endpoint.status };
    });
  }

  /** Records a test event and queues it to this endpoint only; null when the tenant has no such endpoint. */
  sendTest(tenant: string, endpointId: string, actor: string): Promise<{ eventId: string; endpointStatus: string } | null> {
    return this.tenants.forTenant(tenant).transaction(async (tx) => {
      const endpoint = await tx.webhookEndpoint.findUnique({ where: { id: endpointId }, select: { status: true } });
      if (!endpoint) return null;
      if (endpoint.status !== 'active') return { eventId: '', endpointStatus: endpoint.status };
      const eventId = await recordWebhookEvent(
        tx,
        WEBHOOK_TEST_EVENT_TYPE,
        { message: 'A test event sent from the MindBot console or API.', requestedBy: actor },
        new Date(),
      );
      await queueWebhookDelivery(tx, endpointId, eventId);
      return { eventId, endpointStatus: endpoint.status };
    });
  }
}
