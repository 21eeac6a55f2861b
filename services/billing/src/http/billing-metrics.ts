import { Counter, Gauge, type Registry } from 'prom-client';
import type { SweeperObserver } from '../domain/sweeper.js';
import type { OnDelivery } from '../domain/stripe-webhooks.js';

const WEBHOOK_EVENTS = 'billing_stripe_webhook_events_total';
const PAYMENTS_FAILED = 'billing_payments_failed_total';
const SESSIONS_REAPED = 'billing_voice_sessions_reaped_total';
const SWEEPER_ERRORS = 'billing_sweeper_errors_total';
const SWEEPER_LAST_PASS = 'billing_sweeper_last_pass_timestamp_seconds';

/** Events that mark a purchase failed when they change it (a repeated or later one for the same purchase does not count again). */
const PAYMENT_FAILURES = new Set(['payment_intent.payment_failed', 'checkout.session.async_payment_failed']);

export interface BillingMetrics {
  /** Counts one Stripe webhook delivery by event type and how it ended (and a failed payment it recorded). */
  onDelivery: OnDelivery;
  /** Counts what the sweeper closed and failed, and when its last pass ended. */
  sweeper: SweeperObserver;
}

/**
 * Billing's series the alert rules read (charts/mindbot/files/prometheus-rules.yaml). The sweeper
 * runs in main.ts and the routes in app.ts, both on the process's one registry: whichever comes
 * second finds the metrics already registered and shares them (so do several apps in one test).
 */
export function registerBillingMetrics(registry: Registry): BillingMetrics {
  const webhookEvents = counter<'type' | 'outcome'>(registry, {
    name: WEBHOOK_EVENTS,
    help: 'Stripe webhook deliveries by event type and outcome (applied, unchanged, duplicate, ignored, parked, rejected, failed).',
    labelNames: ['type', 'outcome'],
  });
  const paymentsFailed = counter<'type'>(registry, {
    name: PAYMENTS_FAILED,
    help: 'Purchases marked failed by a Stripe payment failure event, by event type.',
    labelNames: ['type'],
  });
  const reaped = counter<never>(registry, {
    name: SESSIONS_REAPED,
    help: 'Voice sessions the sweeper closed because their heartbeats stopped (the agent or its host died mid-call).',
    labelNames: [],
  });
  const sweeperErrors = counter<'step'>(registry, {
    name: SWEEPER_ERRORS,
    help: "Sweeper steps that failed, by step (tenant: one tenant's stale sessions and expired lots; parked_events).",
    labelNames: ['step'],
  });
  const existing = registry.getSingleMetric(SWEEPER_LAST_PASS);
  const lastPass =
    existing instanceof Gauge
      ? existing
      : new Gauge({
          name: SWEEPER_LAST_PASS,
          help: 'Unix time the last sweeper pass ended (0 until the first pass).',
          registers: [registry],
        });
  return {
    onDelivery: ({ type, outcome }) => {
      webhookEvents.inc({ type, outcome });
      if (outcome === 'applied' && PAYMENT_FAILURES.has(type)) paymentsFailed.inc({ type });
    },
    sweeper: {
      sessionsReaped: (count) => reaped.inc(count),
      stepFailed: (step) => sweeperErrors.inc({ step }),
      passFinished: (at) => lastPass.set(at.getTime() / 1000),
    },
  };
}

function counter<L extends string>(registry: Registry, config: { name: string; help: string; labelNames: L[] }): Counter<L> {
  const existing = registry.getSingleMetric(config.name);
  return existing instanceof Counter ? existing : new Counter<L>({ ...config, registers: [registry] });
}
