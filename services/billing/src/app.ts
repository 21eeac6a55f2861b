import type { Express } from 'express';
import { createHttpApp } from '@mindbot/http';
import type { ServiceDeps } from '@mindbot/service-runtime';

/** The billing's express app: Stripe Connect, prices, time cards, the minute ledger, metering, webhooks. Its business routes arrive with their own issues. */
export function createApp(deps: ServiceDeps): Express {
  return createHttpApp({
    service: 'billing',
    logger: deps.logger,
    metrics: deps.metrics,
    lifecycle: deps.lifecycle,
    readiness: deps.readiness,
    bodyLimit: deps.bodyLimit,
    trustProxy: deps.trustProxy,
    routes: () => undefined,
  });
}
