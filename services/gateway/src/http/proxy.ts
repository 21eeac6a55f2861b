import { request as httpRequest, type OutgoingHttpHeaders } from 'node:http';
import { request as httpsRequest } from 'node:https';
import type { Request, RequestHandler, Response } from 'express';
import { AppError } from '@mindbot/errors';
import { publicOriginOf } from '@mindbot/http';
import { hostLocal } from './tenant-resolution.js';
import { traceHeaders } from './trace-headers.js';

/** Hop-by-hop headers (RFC 9110 §7.6.1) and what the gateway itself decides, never passed through from the client. */
const DROP_REQUEST = new Set([
  'connection',
  'keep-alive',
  'proxy-authenticate',
  'proxy-authorization',
  'proxy-connection',
  'te',
  'trailer',
  'transfer-encoding',
  'upgrade',
  'host',
  'forwarded',
  'x-forwarded-for',
  'x-forwarded-host',
  'x-forwarded-proto',
  'x-forwarded-port',
  'x-real-ip',
  'x-request-id',
  'traceparent',
  'tracestate',
  'x-api-key',
]);
const DROP_RESPONSE = new Set(['connection', 'keep-alive', 'proxy-authenticate', 'trailer', 'transfer-encoding', 'upgrade']);

export interface ProxyOptions {
  /** Name of the upstream in logs and problems. */
  service: string;
  upstream: URL;
  bodyLimitBytes: number;
  timeoutMs?: number;
}

/**
 * Streams the request to the upstream service at the same path and streams its answer back. The
 * upstream sees the client's host as `X-Forwarded-Host` (the one the gateway resolved the tenant
 * from, with the port the client reached it on) and scheme as `X-Forwarded-Proto`, so the URLs it
 * hands out are ones the client can reach; the client address as `X-Forwarded-For`, and the
 * gateway's request id and trace context; whatever the client sent in those headers is dropped
 * (a proxy in front of the gateway is believed only through TRUST_PROXY). Bodies beyond the limit get a 413.
 */
export function proxyTo(options: ProxyOptions): RequestHandler {
  const send = options.upstream.protocol === 'https:' ? httpsRequest : httpRequest;
  const base = options.upstream.pathname.replace(/\/$/, '');
  return (req, res, next) => {
    const declared = Number(req.headers['content-length'] ?? '0');
    if (Number.isFinite(declared) && declared > options.bodyLimitBytes) {
      next(new AppError('payload_too_large', 'The request body is larger than this endpoint accepts.'));
      return;
    }
    const headers: OutgoingHttpHeaders = {};
    for (const [name, value] of Object.entries(req.headers)) {
      if (value !== undefined && !DROP_REQUEST.has(name)) headers[name] = value;
    }
    const forwarded = forwardedOrigin(req, res);
    Object.assign(headers, traceHeaders(req), {
      host: options.upstream.host,
      'x-forwarded-host': forwarded.host,
      'x-forwarded-proto': forwarded.proto,
      'x-forwarded-for': req.ip ?? '',
    });
    let finished = false;
    const fail = (error: AppError) => {
      if (finished) return;
      finished = true;
      if (res.headersSent) {
        res.destroy();
        return;
      }
      next(error);
    };
    const upstream = send(
      {
        protocol: options.upstream.protocol,
        hostname: options.upstream.hostname,
        port: options.upstream.port,
        method: req.method,
        path: `${base}${req.originalUrl}`,
        headers,
        timeout: options.timeoutMs ?? 30_000,
      },
      (answer) => {
        if (finished) {
          answer.resume();
          return;
        }
        finished = true;
        res.status(answer.statusCode ?? 502);
        for (const [name, value] of Object.entries(answer.headers)) {
          if (value !== undefined && !DROP_RESPONSE.has(name)) res.setHeader(name, value);
        }
        answer.pipe(res);
        answer.on('error', () => res.destroy());
      },
    );
    upstream.on('timeout', () => {
      upstream.destroy();
      fail(new AppError('unavailable', `The ${options.service} service did not answer in time.`, { headers: { 'Retry-After': '5' } }));
    });
    upstream.on('error', (error) => {
      req.log.warn({ err: error, upstream: options.service }, 'upstream request failed');
      fail(
        new AppError('unavailable', `The ${options.service} service cannot be reached right now.`, {
          headers: { 'Retry-After': '5' },
          cause: error,
        }),
      );
    });
    let received = 0;
    req.on('data', (chunk: Buffer) => {
      received += chunk.length;
      if (received > options.bodyLimitBytes) {
        req.unpipe(upstream);
        upstream.destroy();
        fail(new AppError('payload_too_large', 'The request body is larger than this endpoint accepts.'));
      }
    });
    req.on('aborted', () => upstream.destroy());
    req.pipe(upstream);
  };
}

/**
 * Where the client reached the gateway: on tenant routes the host the tenant was resolved from with
 * the client's port (`Host`, or X-Forwarded-Host/Proto from a hop TRUST_PROXY trusts); on platform
 * routes (webhooks, JWKS), which hand out no URLs, the host name as before.
 */
function forwardedOrigin(req: Request, res: Response): { host: string; proto: string } {
  if (hostLocal.find(res) === undefined) return { host: req.hostname, proto: req.protocol };
  const origin = new URL(publicOriginOf(req));
  return { host: origin.host, proto: origin.protocol.slice(0, -1) };
}
