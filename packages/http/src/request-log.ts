import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Request, RequestHandler } from 'express';
import type {} from 'pino-http';
import type { Logger } from '@mindbot/logger';
import { requestIdOf } from './request-id.js';

export interface RequestLoggingOptions {
  logger: Logger;
  /** Requests whose completion is not logged (probes, scrapes). */
  ignore: (req: IncomingMessage) => boolean;
}

interface RequestLogState {
  /** The fields every line about this request carries: `req`, `requestId`, and what later middleware adds (`tenantId`). */
  bindings: Record<string, unknown>;
  /** The request's child logger, once something asked for `req.log`. */
  child: Logger | undefined;
}

const states = new WeakMap<IncomingMessage, RequestLogState>();

/**
 * pino-http's contract (`req.id`, `req.log` carrying `requestId`, one `request completed` or
 * `request failed` line per request) without its cost: pino-http built two child loggers for every
 * request, each serialising and redacting its fields, whether or not anything was logged (about a
 * sixth of the gateway's CPU on GET /v1/branding). Here `req.log` is made on first use, and the
 * completion line, when its level is enabled, is written by the process's logger with the same
 * fields. Lines written through `req.log` are unchanged; the completion line now carries the fields
 * added with {@link addLogBindings} (`tenantId`) too.
 */
export function requestLogging(options: RequestLoggingOptions): RequestHandler {
  const { logger } = options;
  return (req, res, next) => {
    const id = requestIdOf(req, res);
    req.id = id;
    const state: RequestLogState = {
      bindings: {
        // Path only: query strings can carry tokens, and headers are mostly noise (secrets are redacted anyway).
        req: { id, method: req.method, path: (req.originalUrl || req.url).split('?')[0], remoteAddress: req.socket.remoteAddress },
        requestId: id,
      },
      child: undefined,
    };
    states.set(req, state);
    Object.defineProperty(req, 'log', {
      configurable: true,
      enumerable: true,
      get: () => (state.child ??= logger.child(state.bindings)),
      set: (replaced: Logger) => {
        state.child = replaced;
      },
    });
    if (!options.ignore(req)) {
      const started = Date.now();
      let logged = false;
      const complete = (error?: Error) => {
        if (logged) return;
        logged = true;
        logCompletion(logger, state, res, Date.now() - started, error);
      };
      res.once('finish', complete);
      res.once('close', complete);
      res.once('error', complete);
    }
    next();
  };
}

function logCompletion(logger: Logger, state: RequestLogState, res: ServerResponse, responseTime: number, error: Error | undefined): void {
  const failed = error ?? res.err ?? (res.statusCode >= 500 ? new Error(`failed with status code ${res.statusCode}`) : undefined);
  const level = error !== undefined || res.statusCode >= 500 ? 'error' : 'info';
  if (!logger.isLevelEnabled(level)) return;
  const fields: Record<string, unknown> = { res: { statusCode: res.statusCode }, responseTime, ...(failed ? { err: failed } : {}) };
  const message = failed ? 'request failed' : 'request completed';
  if (state.child) state.child[level](fields, message);
  else logger[level]({ ...state.bindings, ...fields }, message);
}

/**
 * Adds fields to every later line about this request (`req.log` and the completion line), without
 * making a child logger unless one exists already.
 */
export function addLogBindings(req: Request, bindings: Record<string, unknown>): void {
  const state = states.get(req);
  if (state && !state.child) Object.assign(state.bindings, bindings);
  else req.log = req.log.child(bindings);
}
