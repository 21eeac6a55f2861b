import type { IncomingMessage, ServerResponse } from 'node:http';
import express, { type Request, type RequestHandler } from 'express';
import type {} from 'pino-http';
import type { Logger } from '@mindbot/logger';
import { requestIdOf } from './request-id.js';

export interface RequestLoggingOptions {
  logger: Logger;
  /** Requests whose completion is not logged (probes, scrapes). */
  ignore: (req: IncomingMessage) => boolean;
}

interface RequestLogState {
  logger: Logger;
  /** The fields every line about this request carries: `req`, `requestId`, and what later middleware adds (`tenantId`). */
  bindings: Record<string, unknown>;
  /** The request's child logger, once something asked for `req.log`. */
  child: Logger | undefined;
}

/**
 * Each request's log state, under a symbol of this module: a property every request gains in the same
 * way, rather than one WeakMap entry per request (ephemerons the garbage collector treats apart).
 */
const LOG_STATE = Symbol('mindbot.requestLog');

interface WithLogState {
  [LOG_STATE]?: RequestLogState;
}

function stateOf(req: IncomingMessage): RequestLogState | undefined {
  return (req as WithLogState)[LOG_STATE];
}

/**
 * `req.log` is one accessor on express's request prototype, installed once, not a property defined on
 * each request: defining a property on the request object made it a slow (dictionary) object for the
 * rest of its way through express, about 20 µs of CPU per request (a sixth of the gateway's CPU on
 * GET /v1/branding; ADR 0065). Assigning `req.log` replaces that request's logger.
 */
function installRequestLogAccessor(): void {
  if (Object.prototype.hasOwnProperty.call(express.request, 'log')) return;
  Object.defineProperty(express.request, 'log', {
    configurable: true,
    enumerable: false,
    get(this: IncomingMessage): Logger | undefined {
      const state = stateOf(this);
      return state ? (state.child ??= state.logger.child(state.bindings)) : undefined;
    },
    set(this: IncomingMessage, replaced: Logger) {
      const state = stateOf(this);
      if (state) state.child = replaced;
      else Object.defineProperty(this, 'log', { configurable: true, enumerable: true, writable: true, value: replaced });
    },
  });
}

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
  const begin = requestLogBeginning(options);
  return (req, res, next) => {
    begin(req, res, requestIdOf(req, res));
    next();
  };
}

/**
 * What {@link requestLogging} does for each request, for an answer written without the middleware
 * chain (`readyAnswers` in createHttpApp): `req.id` and `req.log` from `id`, and the completion line.
 */
export function requestLogBeginning(options: RequestLoggingOptions): (req: Request, res: ServerResponse, id: string) => void {
  const { logger } = options;
  installRequestLogAccessor();
  return (req, res, id) => {
    req.id = id;
    const state: RequestLogState = {
      logger,
      bindings: {
        // Path only: query strings can carry tokens, and headers are mostly noise (secrets are redacted anyway).
        req: { id, method: req.method, path: (req.originalUrl || req.url).split('?')[0], remoteAddress: req.socket.remoteAddress },
        requestId: id,
      },
      child: undefined,
    };
    (req as WithLogState)[LOG_STATE] = state;
    if (!options.ignore(req)) {
      const started = Date.now();
      let logged = false;
      const complete = (error?: Error) => {
        if (logged) return;
        logged = true;
        logCompletion(logger, state, res, Date.now() - started, error);
      };
      // `on`, not `once`: `logged` already keeps it to one line, without a wrapper per event and request.
      res.on('finish', complete);
      res.on('close', complete);
      res.on('error', complete);
    }
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
  const state = stateOf(req);
  if (state && !state.child) Object.assign(state.bindings, bindings);
  else req.log = req.log.child(bindings);
}
