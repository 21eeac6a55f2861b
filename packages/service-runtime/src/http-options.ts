import type { HttpAppOptions } from '@mindbot/http';
import type { ServiceDeps } from './service-deps.js';

/** The createHttpApp options every service takes straight from its dependencies. */
export function httpOptionsOf(deps: ServiceDeps): Omit<HttpAppOptions, 'service' | 'routes' | 'rawRoutes'> {
  return {
    logger: deps.logger,
    metrics: deps.metrics,
    lifecycle: deps.lifecycle,
    readiness: deps.readiness,
    bodyLimit: deps.bodyLimit,
    trustProxy: deps.trustProxy,
  };
}
