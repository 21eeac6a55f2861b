import type { PlatformClient, TenantClients } from '@mindbot/db';
import type { Logger } from '@mindbot/logger';
import { activeHomeTenantSlugs } from '../data/home-tenants.js';
import { expireLots, sweepAbandonedSessions, type MeteringSettings } from './metering.js';
import { sweepParkedEvents } from './parked-events.js';
import type { Stripe } from '@mindbot/stripe-connect';

/** Told what each sweeper pass did, e.g. to count it on /metrics. */
export interface SweeperObserver {
  /** Voice sessions closed because their heartbeats stopped. */
  sessionsReaped(count: number): void;
  /** A step failed: one tenant's sessions and lots, or the region's parked events. */
  stepFailed(step: 'tenant' | 'parked_events'): void;
  /** A pass ended, whatever failed inside it. */
  passFinished(at: Date): void;
}

/**
 * Every `intervalMs`, for each tenant whose home is this database: closes voice sessions whose
 * heartbeats stopped and writes off expired lots; then, once for the region, applies parked webhook
 * events whose account has been recorded meanwhile and purges those older than the retention.
 * Safe with several replicas (rows are locked with SKIP LOCKED and every step is idempotent). Returns a stop function that waits for a running pass.
 */
export function startSweeper(options: {
  platform: PlatformClient;
  tenants: TenantClients;
  logger: Logger;
  metering: MeteringSettings;
  /** For applying parked webhook events (refund events may re-read a payment intent). */
  stripe: Stripe;
  livemode: boolean;
  parkedEventRetentionMs: number;
  intervalMs: number;
  clock: () => Date;
  isDraining?: () => boolean;
  observer?: SweeperObserver;
}): () => Promise<void> {
  let running: Promise<void> | undefined;
  const pass = async () => {
    for (const slug of await activeHomeTenantSlugs(options.platform)) {
      try {
        const scope = options.tenants.forTenant(slug);
        const closed = await sweepAbandonedSessions(scope, options.metering, options.clock());
        options.observer?.sessionsReaped(closed);
        const expired = await expireLots(scope, options.clock());
        if (closed + expired > 0)
          options.logger.info({ tenantId: slug, closed, expired }, 'sweeper closed abandoned sessions and expired lots');
      } catch (error) {
        options.logger.error({ err: error, tenantId: slug }, 'sweeper pass failed for tenant');
        options.observer?.stepFailed('tenant');
      }
    }
    try {
      const { stripe, livemode, platform, tenants, logger } = options;
      const { drainedAccounts, purged } = await sweepParkedEvents(
        { platform, tenants, stripe, logger, livemode },
        options.clock(),
        options.parkedEventRetentionMs,
      );
      if (drainedAccounts + purged > 0) logger.info({ drainedAccounts, purged }, 'sweeper applied and purged parked stripe events');
    } catch (error) {
      options.logger.error({ err: error }, 'sweeper pass over parked stripe events failed');
      options.observer?.stepFailed('parked_events');
    }
    options.observer?.passFinished(options.clock());
  };
  const timer = setInterval(() => {
    if (running || options.isDraining?.() === true) return;
    running = pass()
      .catch((error: unknown) => {
        options.logger.error({ err: error }, 'sweeper pass failed');
      })
      .finally(() => {
        running = undefined;
      });
  }, options.intervalMs);
  timer.unref();
  return async () => {
    clearInterval(timer);
    await running;
  };
}
