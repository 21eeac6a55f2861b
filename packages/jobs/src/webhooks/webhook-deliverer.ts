import type { TenantClients } from '@mindbot/db';
import { newId } from '@mindbot/ids';
import type { Logger } from '@mindbot/logger';
import type { JobWithMetadata } from 'pg-boss';
import type { Counter } from 'prom-client';
import type { RelayedJob } from '../job-queues.js';
import type { WebhookDeliveryJob } from './webhook-events.js';
import { newWebhookId } from './webhook-ids.js';
import type { WebhookNotices } from './webhook-notices.js';
import type { WebhookSecrets } from './webhook-secrets.js';
import { postWebhook } from './webhook-post.js';
import { webhookHeaders } from './webhook-signature.js';
import { checkWebhookTarget, type TargetPolicy } from './webhook-targets.js';

export interface WebhookDeliveryOptions extends TargetPolicy {
  /** Per attempt, connection to last byte. */
  timeoutMs?: number;
  /** An endpoint failing for this long without a success is disabled (three days). */
  giveUpAfterMs?: number;
  notices: WebhookNotices;
  /** Opens sealed signing secrets (WEBHOOK_SECRET_KEYS); without it only unsealed (whsec_…) secrets can be used. */
  secrets?: WebhookSecrets;
  /** Counts each attempt by outcome (mindbot_webhook_deliveries_total, registerJobMetrics). */
  attempts?: Counter<'outcome'>;
}

/** The job failed and the queue retries it later (pg-boss retry options of the queue). */
export class DeliveryFailed extends Error {}

const THREE_DAYS_MS = 3 * 24 * 3600 * 1000;

/**
 * Makes one delivery attempt of one event to one endpoint and writes it to the delivery log. A
 * failure throws, so the queue retries with backoff; the queue runs an endpoint's jobs one at a time
 * in order, so a failing event holds back the later ones (receivers see events in order). When the
 * retries run out, or the endpoint has failed for `giveUpAfterMs`, the endpoint is disabled with a
 * reason, an audit entry and a notice; events reaching a disabled endpoint are logged as skipped.
 */
export class WebhookDeliverer {
  constructor(
    private readonly tenants: TenantClients,
    private readonly logger: Logger,
    private readonly options: WebhookDeliveryOptions,
  ) {}

  async deliver(job: JobWithMetadata<RelayedJob<WebhookDeliveryJob>>): Promise<void> {
    const { tenant, payload } = job.data;
    const scope = this.tenants.forTenant(tenant);
    const found = await scope.transaction(async (tx) => {
      const endpoint = await tx.webhookEndpoint.findUnique({ where: { id: payload.endpointId } });
      const event = await tx.webhookEvent.findUnique({ where: { id: payload.eventId } });
      const attempts = await tx.webhookDelivery.count({ where: { endpointId: payload.endpointId, eventId: payload.eventId } });
      return endpoint && event ? { endpoint, event, attempts } : undefined;
    });
    // Deleted endpoint (its log went with it): nothing to do.
    if (!found) return;
    const { endpoint, event } = found;
    const log = { endpointId: endpoint.id, eventId: event.id, eventType: event.type, attempt: found.attempts + 1 };
    if (endpoint.status !== 'active') {
      await scope.transaction((tx) =>
        tx.webhookDelivery.create({ data: { id: newWebhookId('delivery'), ...log, status: 'skipped', error: 'the endpoint is disabled' } }),
      );
      return;
    }

    const body = JSON.stringify(event.payload);
    const secret = this.secretOf(tenant, endpoint.id, endpoint.secret);
    const target = await checkWebhookTarget(endpoint.url, this.options);
    const outcome =
      secret === undefined
        ? { ok: false, status: null, error: 'the signing secret cannot be opened (WEBHOOK_SECRET_KEYS)', durationMs: 0 }
        : target.ok
          ? await postWebhook(target.value, webhookHeaders(secret, event.id, Math.floor(Date.now() / 1000), body), body, {
              ...this.options,
              timeoutMs: this.options.timeoutMs ?? 10_000,
            })
          : { ok: false, status: null, error: `target refused: ${target.detail ?? target.failure}`, durationMs: 0 };

    const now = new Date();
    if (outcome.ok) {
      await scope.transaction(async (tx) => {
        await tx.webhookDelivery.create({
          data: {
            id: newWebhookId('delivery'),
            ...log,
            status: 'succeeded',
            responseStatus: outcome.status,
            durationMs: outcome.durationMs,
          },
        });
        await tx.webhookEndpoint.updateMany({ where: { id: endpoint.id }, data: { failureStreak: 0, failingSince: null } });
      });
      this.options.attempts?.inc({ outcome: 'succeeded' });
      return;
    }

    const failingSince = endpoint.failingSince ?? now;
    const outOfRetries = job.retryCount >= job.retryLimit;
    const tooLong = now.getTime() - failingSince.getTime() >= (this.options.giveUpAfterMs ?? THREE_DAYS_MS);
    const giveUp = outOfRetries || tooLong;
    const reason = giveUp
      ? `${outOfRetries ? `every attempt to deliver ${event.id} failed` : 'deliveries have failed for three days'} (last: ${outcome.error ?? 'failed'})`
      : undefined;
    await scope.transaction(async (tx) => {
      await tx.webhookDelivery.create({
        data: {
          id: newWebhookId('delivery'),
          ...log,
          status: 'failed',
          responseStatus: outcome.status,
          error: outcome.error,
          durationMs: outcome.durationMs,
          nextAttemptAt: giveUp ? null : new Date(now.getTime() + retryDelayMs(job)),
        },
      });
      await tx.webhookEndpoint.updateMany({
        where: { id: endpoint.id },
        data: {
          failureStreak: { increment: 1 },
          failingSince,
          ...(reason ? { status: 'disabled', disabledReason: reason, updatedAt: now } : {}),
        },
      });
      if (reason) {
        await tx.auditEvent.create({
          data: {
            id: newId('audit'),
            actorId: null,
            action: 'webhook_endpoint.disabled',
            target: endpoint.id,
            data: { reason, url: endpoint.url, eventId: event.id },
          },
        });
      }
    });
    this.options.attempts?.inc({ outcome: reason ? 'disabled' : 'failed' });
    if (reason) {
      await this.options
        .notices({ tenant, endpointId: endpoint.id, url: endpoint.url, reason })
        .catch((error: unknown) =>
          this.logger.warn({ err: error, tenant, endpointId: endpoint.id }, 'could not send the endpoint-disabled notice'),
        );
      return;
    }
    throw new DeliveryFailed(outcome.error ?? 'delivery failed');
  }

  /** A secret that cannot be opened is a configuration error: logged, and the attempt fails (and is retried). */
  private secretOf(tenant: string, endpointId: string, stored: string): string | undefined {
    try {
      return this.options.secrets
        ? this.options.secrets.open(tenant, endpointId, stored)
        : stored.startsWith('whsec_')
          ? stored
          : undefined;
    } catch (error) {
      this.logger.error({ err: error, tenant, endpointId }, 'webhook signing secret cannot be opened');
      return undefined;
    }
  }
}

/** When the queue will run the next attempt, at the latest (pg-boss adds jitter below this). */
function retryDelayMs(job: JobWithMetadata<unknown>): number {
  const base = job.retryDelay * 1000;
  if (!job.retryBackoff) return base;
  const backoff = base * 2 ** Math.min(16, job.retryCount);
  return job.retryDelayMax === undefined ? backoff : Math.min(job.retryDelayMax * 1000, backoff);
}
