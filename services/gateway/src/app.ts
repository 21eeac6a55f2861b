import type { Express } from 'express';
import { createHttpApp } from '@mindbot/http';
import type { ServiceDeps } from '@mindbot/service-runtime';

/** The gateway's express app: the edge API: tenant resolution, authentication, rate limits, voice sessions, branding. Its business routes arrive with their own issues. */
export function createApp(deps: ServiceDeps): Express {
  return createHttpApp({
    service: 'gateway',
    logger: deps.logger,
    metrics: deps.metrics,
    lifecycle: deps.lifecycle,
    readiness: deps.readiness,
    bodyLimit: deps.bodyLimit,
    trustProxy: deps.trustProxy,
    routes: () => undefined,
  });
}
