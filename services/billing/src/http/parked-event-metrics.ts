import { Counter, Gauge, type Registry } from 'prom-client';
import type { PlatformClient } from '@mindbot/db';
import type { Logger } from '@mindbot/logger';
import { countUnapplied } from '@mindbot/stripe-connect';
import type { OnParked } from '../domain/parked-events.js';

const PARKED_TOTAL = 'billing_webhook_events_parked_total';
const UNAPPLIED = 'billing_webhook_events_parked_unapplied';

/**
 * Parked webhook events on /metrics: a counter of events parked (a steady rise with no matching
 * tenant usually means another region's accounts; a stuck gauge means an account that was never
 * recorded) and a gauge of those not applied yet, read from the database at scrape time so every
 * replica reports the same figure.
 */
export function registerParkedEventMetrics(registry: Registry, platform: PlatformClient, logger: Logger): OnParked {
  // One app per registry in production; a second app on the same registry (tests) shares the metrics.
  const existing = registry.getSingleMetric(PARKED_TOTAL);
  const parked =
    existing instanceof Counter
      ? (existing as Counter<'type'>)
      : new Counter({
          name: PARKED_TOTAL,
          help: 'Stripe Connect events parked because their account was not recorded in this region, by event type.',
          labelNames: ['type'],
          registers: [registry],
        });
  if (!registry.getSingleMetric(UNAPPLIED)) {
    new Gauge({
      name: UNAPPLIED,
      help: 'Parked Stripe Connect events not applied yet (waiting for their account to be recorded, or for the retention purge).',
      registers: [registry],
      async collect() {
        try {
          this.set(await countUnapplied(platform));
        } catch (error) {
          // A scrape must not fail because the database is away; the last figure stays.
          logger.warn({ err: error }, 'could not count parked stripe events for /metrics');
        }
      },
    });
  }
  return ({ type }) => parked.inc({ type });
}
