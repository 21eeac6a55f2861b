import { context, propagation } from '@opentelemetry/api';
import type { Request } from 'express';

/**
 * The headers that carry a request on to another service: its request id and W3C trace context.
 * With the W3C propagator installed (setupTracing) the current span's context is injected; without
 * one, the caller's own `traceparent`/`tracestate` go on unchanged, so traces stay joined either way.
 */
export function traceHeaders(req: Request): Record<string, string> {
  const headers: Record<string, string> = {};
  if (typeof req.id === 'string') headers['x-request-id'] = req.id;
  propagation.inject(context.active(), headers);
  if (headers.traceparent === undefined) {
    const incoming = req.headers.traceparent;
    if (typeof incoming === 'string' && /^[0-9a-f]{2}-[0-9a-f]{32}-[0-9a-f]{16}-[0-9a-f]{2}$/.test(incoming)) {
      headers.traceparent = incoming;
      const state = req.headers.tracestate;
      if (typeof state === 'string' && state.length <= 512) headers.tracestate = state;
    }
  }
  return headers;
}
