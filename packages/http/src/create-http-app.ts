import { IncomingMessage, ServerResponse } from 'node:http';
import { Socket } from 'node:net';
import express, { type Express, type RequestHandler } from 'express';
import helmet from 'helmet';
import { notFoundHandler, problemHandler } from '@mindbot/errors';
import type { Logger } from '@mindbot/logger';
import type { Metrics } from '@mindbot/metrics';
import { healthRoutes, type ReadinessChecks } from './health-routes.js';
import type { Lifecycle } from './lifecycle.js';
import { observeRequest } from './observe-request.js';
import { refuseInvalidCharactersInBody, refuseControlCharactersInUrl, requireHost, requireJsonBody } from './request-guards.js';
import { readyAnswers, type ReadyAnswerFinder } from './ready-answers.js';
import { requestLogging, type RequestLoggingOptions } from './request-log.js';

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
  /**
   * Answers the service has ready in memory for its hottest reads, written ahead of every other
   * layer (ready-answers.ts); a request it does not answer takes the long way, unchanged.
   */
  readyAnswers?: ReadyAnswerFinder;
}

/** The one way every service builds its express app; no listen, so tests start it on port 0. */
export function createHttpApp(options: HttpAppOptions): Express {
  const app = express();
  app.disable('x-powered-by');
  app.set('trust proxy', options.trustProxy ?? false);
  const logging: RequestLoggingOptions = {
    logger: options.logger,
    ignore: (req) => req.url === '/healthz' || req.url === '/readyz' || req.url === '/metrics',
  };
  // Without a fixed list of security headers (helmet must run per request) every request takes the long way.
  const securityList = options.readyAnswers ? securityHeaderList() : undefined;
  if (options.readyAnswers && securityList) {
    app.use(
      readyAnswers({
        service: options.service,
        logging,
        metrics: options.metrics,
        securityHeaders: securityList,
        find: options.readyAnswers,
      }),
    );
  }
  app.use(requestLogging(logging));
  app.use(securityHeaders());
  app.use(observeRequest(options.metrics, options.service));
  app.use(onlyAt(HEALTH_PATHS, healthRoutes(options.readiness ?? {}, options.lifecycle, options.metrics)));
  // However malformed a request is at the transport, it gets a 4xx problem here, never a 500 later.
  app.use(requireHostAndCleanUrl);
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

/** A blank response that notes every header set or removed on it, in order. */
class RecordingResponse extends ServerResponse {
  readonly operations: (readonly [name: string, value: string | number | readonly string[] | undefined])[] = [];

  constructor() {
    super(new IncomingMessage(new Socket()));
  }

  override setHeader(name: string, value: string | number | readonly string[]): this {
    this.operations.push([name, value]);
    return super.setHeader(name, value);
  }

  override removeHeader(name: string): void {
    this.operations.push([name, undefined]);
    super.removeHeader(name);
  }
}

/**
 * helmet's headers, found once by running its middleware against a blank response: its default
 * configuration (the only one used here; a CSP nonce or any other directive computed from the
 * request would need helmet per request) depends on nothing in the request, so each response gets
 * the same headers set (and removed) in the same order, without a dozen middleware calls per
 * request. Should helmet ever do more than that synchronously, its middleware runs per request.
 */
export function securityHeaders(): RequestHandler {
  const headers = recordedSecurityHeaders();
  if (!headers) return helmet();
  return (_req, res, next) => {
    for (const [name, value] of headers) {
      if (value === undefined) res.removeHeader(name);
      else res.setHeader(name, value);
    }
    next();
  };
}

/** helmet's header operations (a removal has no value), or undefined when they cannot be replayed. */
function recordedSecurityHeaders(): (readonly [name: string, value: string | undefined])[] | undefined {
  const middleware = helmet();
  const probe = new RecordingResponse();
  const outcome = { done: false, failed: false };
  middleware(probe.req, probe, (error?: unknown) => {
    outcome.done = true;
    outcome.failed = error !== undefined;
  });
  const headers: (readonly [name: string, value: string | undefined])[] = [];
  for (const [name, value] of probe.operations) {
    if (value !== undefined && typeof value !== 'string') return undefined;
    headers.push([name, value]);
  }
  return outcome.done && !outcome.failed ? headers : undefined;
}

/**
 * The headers {@link securityHeaders} leaves on a response that had none, as name, value, name, value…
 * (what `writeHead` takes); undefined when helmet must run per request.
 */
export function securityHeaderList(): string[] | undefined {
  const operations = recordedSecurityHeaders();
  if (!operations) return undefined;
  const headers = new Map<string, readonly [string, string]>();
  for (const [name, value] of operations) {
    if (value === undefined) headers.delete(name.toLowerCase());
    else headers.set(name.toLowerCase(), [name, value]);
  }
  return [...headers.values()].flat();
}

const HEALTH_PATHS: ReadonlySet<string> = new Set(['/healthz', '/readyz', '/metrics']);

/**
 * Hands only requests for `paths` to `router`, which every other request then skips without walking
 * its routes. Matches as express's router does by default: any case, one trailing slash allowed.
 */
function onlyAt(paths: ReadonlySet<string>, router: RequestHandler): RequestHandler {
  return (req, res, next) => {
    const path = req.path.toLowerCase();
    if (paths.has(path.endsWith('/') ? path.slice(0, -1) : path)) router(req, res, next);
    else next();
  };
}

/** `requireHost` then `refuseControlCharactersInUrl`, as one layer. */
const requireHostAndCleanUrl: RequestHandler = (req, res, next) => {
  requireHost(req, res, (error?: unknown) => {
    if (error === undefined) refuseControlCharactersInUrl(req, res, next);
    else next(error);
  });
};
