import type { TenantClients } from '@mindbot/db';
import { fail, ok, type Result } from '@mindbot/errors';
import { checkWebhookTarget, isWebhookId, newWebhookId, newWebhookSecret, WebhookSecrets, type TargetPolicy } from '@mindbot/jobs';
import { WEBHOOK_TEST_EVENT_TYPE } from '@mindbot/sdk/schemas';
import {
  WebhookEndpointRecords,
  type EndpointChange,
  type WebhookDeliveryRow,
  type WebhookEndpointRow,
} from '../data/webhook-endpoints.js';

export interface WebhookEndpointView {
  id: string;
  url: string;
  description: string;
  events: string[];
  status: 'active' | 'disabled';
  disabledReason: string | null;
  failureStreak: number;
  createdBy: string;
  createdAt: string;
  updatedAt: string;
}

export interface WebhookDeliveryView {
  id: string;
  endpointId: string;
  eventId: string;
  eventType: string;
  attempt: number;
  status: 'succeeded' | 'failed' | 'skipped';
  responseStatus: number | null;
  error: string | null;
  durationMs: number | null;
  createdAt: string;
  nextAttemptAt: string | null;
}

/** Why a request about endpoints was refused; `target_refused` names the URL rule in `detail`. */
export type EndpointFailure = 'not_found' | 'target_refused' | 'endpoint_disabled';

function endpointView(row: WebhookEndpointRow): WebhookEndpointView {
  return {
    id: row.id,
    url: row.url,
    description: row.description,
    events: row.events,
    status: row.status === 'disabled' ? 'disabled' : 'active',
    disabledReason: row.disabledReason,
    failureStreak: row.failureStreak,
    createdBy: row.createdBy,
    createdAt: row.createdAt.toISOString(),
    updatedAt: row.updatedAt.toISOString(),
  };
}

function deliveryView(row: WebhookDeliveryRow): WebhookDeliveryView {
  return {
    id: row.id,
    endpointId: row.endpointId,
    eventId: row.eventId,
    eventType: row.eventType,
    attempt: row.attempt,
    status: row.status === 'succeeded' ? 'succeeded' : row.status === 'skipped' ? 'skipped' : 'failed',
    responseStatus: row.responseStatus,
    error: row.error,
    durationMs: row.durationMs,
    createdAt: row.createdAt.toISOString(),
    nextAttemptAt: row.nextAttemptAt?.toISOString() ?? null,
  };
}

/**
 * What tenant admins do with their webhook endpoints. A URL is checked against the target policy
 * when it is registered or changed (https only, a public address), and again by the deliverer at
 * every attempt, as DNS may change. The signing secret is returned at creation and rotation only.
 */
export class WebhookEndpoints {
  private readonly records: WebhookEndpointRecords;

  constructor(
    tenants: TenantClients,
    private readonly policy: TargetPolicy,
    /** Seals signing secrets at rest (WEBHOOK_SECRET_KEYS); without keys they are stored as they are. */
    private readonly secrets: WebhookSecrets = new WebhookSecrets(undefined),
  ) {
    this.records = new WebhookEndpointRecords(tenants);
  }

  async create(
    tenant: string,
    input: { url: string; description: string; events: string[] },
    actor: string,
  ): Promise<Result<{ endpoint: WebhookEndpointView; secret: string }, EndpointFailure>> {
    const target = await checkWebhookTarget(input.url, this.policy);
    if (!target.ok) return fail('target_refused', target.detail);
    const id = newWebhookId('endpoint');
    const secret = newWebhookSecret();
    const row = await this.records.create(
      tenant,
      { id, ...input, events: [...new Set(input.events)], secret: this.secrets.seal(tenant, id, secret) },
      actor,
    );
    return ok({ endpoint: endpointView(row), secret });
  }

  async list(tenant: string): Promise<WebhookEndpointView[]> {
    return (await this.records.list(tenant)).map(endpointView);
  }

  async get(tenant: string, id: string): Promise<Result<WebhookEndpointView, EndpointFailure>> {
    const row = isWebhookId('endpoint', id) ? await this.records.get(tenant, id) : null;
    return row ? ok(endpointView(row)) : fail('not_found');
  }

  async update(tenant: string, id: string, change: EndpointChange, actor: string): Promise<Result<WebhookEndpointView, EndpointFailure>> {
    if (!isWebhookId('endpoint', id)) return fail('not_found');
    if (change.url !== undefined) {
      const target = await checkWebhookTarget(change.url, this.policy);
      if (!target.ok) return fail('target_refused', target.detail);
    }
    const events = change.events === undefined ? undefined : [...new Set(change.events)];
    const row = await this.records.update(tenant, id, { ...change, events }, actor);
    return row ? ok(endpointView(row)) : fail('not_found');
  }

  async remove(tenant: string, id: string, actor: string): Promise<Result<true, EndpointFailure>> {
    return isWebhookId('endpoint', id) && (await this.records.remove(tenant, id, actor)) ? ok(true) : fail('not_found');
  }

  async rotateSecret(
    tenant: string,
    id: string,
    actor: string,
  ): Promise<Result<{ endpoint: WebhookEndpointView; secret: string }, EndpointFailure>> {
    if (!isWebhookId('endpoint', id)) return fail('not_found');
    const secret = newWebhookSecret();
    const row = await this.records.rotateSecret(tenant, id, this.secrets.seal(tenant, id, secret), actor);
    return row ? ok({ endpoint: endpointView(row), secret }) : fail('not_found');
  }

  async deliveries(
    tenant: string,
    endpointId: string,
    page: { cursor?: string | undefined; limit: number },
  ): Promise<Result<{ deliveries: WebhookDeliveryView[]; nextCursor: string | null }, EndpointFailure>> {
    if (!isWebhookId('endpoint', endpointId)) return fail('not_found');
    // One more than asked: whether there is a next page, without a count.
    const rows = await this.records.deliveries(tenant, endpointId, { cursor: page.cursor, limit: page.limit + 1 });
    if (!rows) return fail('not_found');
    const shown = rows.slice(0, page.limit);
    return ok({ deliveries: shown.map(deliveryView), nextCursor: rows.length > page.limit ? (shown.at(-1)?.id ?? null) : null });
  }

  async replay(
    tenant: string,
    deliveryId: string,
    actor: string,
  ): Promise<Result<{ eventId: string; endpointId: string }, EndpointFailure>> {
    if (!isWebhookId('delivery', deliveryId)) return fail('not_found');
    const queued = await this.records.replay(tenant, deliveryId, actor);
    if (!queued) return fail('not_found');
    if (queued.endpointStatus !== 'active') return fail('endpoint_disabled');
    return ok({ eventId: queued.eventId, endpointId: queued.endpointId });
  }

  async sendTest(
    tenant: string,
    endpointId: string,
    actor: string,
  ): Promise<Result<{ eventId: string; endpointId: string; type: string }, EndpointFailure>> {
    if (!isWebhookId('endpoint', endpointId)) return fail('not_found');
    const queued = await this.records.sendTest(tenant, endpointId, actor);
    if (!queued) return fail('not_found');
    if (queued.endpointStatus !== 'active') return fail('endpoint_disabled');
    return ok({ eventId: queued.eventId, endpointId, type: WEBHOOK_TEST_EVENT_TYPE });
  }
}
