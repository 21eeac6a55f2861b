import type { IncomingMessage } from 'node:http';
import type { RequestHandler } from 'express';
import type { TenantRecord } from '@mindbot/tenant-registry';
import { AppError } from '@mindbot/errors';
import type { GatewayDeps } from '../deps.js';
import { originsOf, tenantOf } from './tenant-resolution.js';

const ALLOWED_HEADERS = 'Authorization, Content-Type, Idempotency-Key, X-Api-Key, X-Request-Id, traceparent, tracestate';
const EXPOSED_HEADERS = 'ETag, Retry-After, RateLimit-Limit, RateLimit-Remaining, RateLimit-Reset, RateLimit-Policy, X-Request-Id';

/**
 * CORS for exactly the tenant's own origins (its platform host and its domains, on the public
 * scheme; with the port the request came in on, for local development) and the websites its
 * manifest lets embed its widget (`embedOrigins`). Any other origin gets no CORS headers (a browser
 * refuses the answer to the page), and its preflight a 403 problem (`origin_not_allowed`).
 */
export function tenantCors(gateway: GatewayDeps): RequestHandler {
  return (req, res, next) => {
    res.vary('Origin');
    const origin = req.headers.origin;
    if (origin === undefined) {
      next();
      return;
    }
    const allowed = allowedOriginOf(gateway, tenantOf(res), req) !== undefined;
    const preflight = req.method === 'OPTIONS' && req.headers['access-control-request-method'] !== undefined;
    if (!allowed) {
      if (preflight)
        throw new AppError('forbidden', 'This origin may not call this tenant.', { extensions: { reason: 'origin_not_allowed', origin } });
      next();
      return;
    }
    res.set(corsAnswerHeaders(origin));
    if (preflight) {
      res.setHeader('Access-Control-Allow-Methods', 'GET, HEAD, POST, PUT, PATCH, DELETE');
      res.setHeader('Access-Control-Allow-Headers', ALLOWED_HEADERS);
      res.setHeader('Access-Control-Max-Age', '600');
      res.status(204).end();
      return;
    }
    next();
  };
}

/** The request's `Origin` when the tenant lets that origin call it; else undefined (no CORS headers). */
export function allowedOriginOf(gateway: GatewayDeps, tenant: TenantRecord, req: IncomingMessage): string | undefined {
  const origin = req.headers.origin;
  if (origin === undefined) return undefined;
  const port = /:(\d+)$/.exec(req.headers.host ?? '')?.[1];
  return originsOf(gateway, tenant, port).has(origin) ? origin : undefined;
}

/** The CORS headers of any answer to an allowed origin, in the order they are sent (a preflight adds its own). */
export function corsAnswerHeaders(origin: string): Record<string, string> {
  return {
    'Access-Control-Allow-Origin': origin,
    'Access-Control-Allow-Credentials': 'true',
    'Access-Control-Expose-Headers': EXPOSED_HEADERS,
  };
}
