import express, { type Express, type RequestHandler } from 'express';
import helmet from 'helmet';
import { notFoundHandler, problemHandler } from '@mindbot/errors';
import type { Logger } from '@mindbot/logger';
import type { Metrics } from '@mindbot/metrics';
import { healthRoutes, type ReadinessChecks } from './health-routes.js';
import type { Lifecycle } from './lifecycle.js';
import { observeRequest } from './observe-request.js';
import { refuseInvalidCharactersInBody, refuseControlCharactersInUrl, requireHost, requireJsonBody } from './request-guards.js';
import { requestLogging } from './request-log.js';

export type { ReadinessChecks };

export interface HttpAppOptions {
  service: string;
  logger: Logger;
  metrics: Metrics;
  lifecycle: Lifecycle;
  /** Dependencies `/readyz` checks, by name (e.g. `postgres`, `redis`). */
  readiness?: ReadinessChecks;
  /** Largest JSON body accepted; larger ones get a 413 problem. */
  bodyLimit?: string;
  /** express's `trust proxy`: which hops may set X-Forwarded-*; nobody by default. */
  trustProxy?: boolean | string | number;
  /**
   * Mounted before JSON parsing, for routes that need the raw body (webhook signatures). `jsonBody` is
   * the chain that parses and guards JSON bodies for the routes after it, for a route mounted here
   * that must treat bodies exactly as those routes do.
   */
  rawRoutes?: (app: Express, jsonBody: readonly RequestHandler[]) => void;
  /** The service's own routes. */
  routes: (app: Express) => void;
}

/** The one way every service builds its express app; no listen, so tests start it on port 0. */
export function createHttpApp(options: HttpAppOptions): Express {
  const app = express();
  app.disable('x-powered-by');
  app.set('trust proxy', options.trustProxy ?? false);
  app.use(
    requestLogging({
      logger: options.logger,
      ignore: (req) => req.url === '/healthz' || req.url === '/readyz' || req.url === '/metrics',
    }),
  );
  app.use(helmet());
  app.use(observeRequest(options.metrics, options.service));
  app.use(healthRoutes(options.readiness ?? {}, options.lifecycle, options.metrics));
  // However malformed a request is at the transport, it gets a 4xx problem here, never a 500 later.
  app.use(requireHost, refuseControlCharactersInUrl);
  const jsonBody: readonly RequestHandler[] = [
    requireJsonBody,
    express.json({ limit: options.bodyLimit ?? '100kb', strict: true }),
    refuseInvalidCharactersInBody,
  ];
  options.rawRoutes?.(app, jsonBody);
  app.use(...jsonBody);
  options.routes(app);
  app.use(notFoundHandler);
  app.use(problemHandler);
  return app;
}
