import type { Request, RequestHandler } from 'express';
import { AppError, characterProblems, characterRuleBroken } from '@mindbot/errors';

const HOST_NAME = /^(?=.{1,253}$)[a-z0-9]([a-z0-9-]*[a-z0-9])?(\.[a-z0-9]([a-z0-9-]*[a-z0-9])?)*$/;

/**
 * The host a request names, as express reads it (`Host`, or `X-Forwarded-Host` only from a hop
 * `trust proxy` trusts), lower-cased, without port or trailing dot; a 400 problem when there is
 * none or it is not a DNS name (tenants are resolved from it, so it must be one).
 */
export function hostOf(req: Request): string {
  const host = validHostOf(req);
  if (host === undefined) throw new AppError('bad_request', 'The Host header does not name a valid host.');
  return host;
}

/** {@link hostOf}, or undefined where it answers a 400. */
export function validHostOf(req: Request): string | undefined {
  // express 5 leaves `hostname` undefined when no host was sent (HTTP/1.0, an empty Host).
  const hostname = req.hostname as string | undefined;
  const host = (hostname ?? '').toLowerCase().replace(/\.$/, '');
  return HOST_NAME.test(host) ? host : undefined;
}

/**
 * RFC 9112 §3.2: a request that names no host is a 400. Node refuses an HTTP/1.1 request without
 * `Host` itself; this covers HTTP/1.0, an empty `Host` and an empty trusted `X-Forwarded-Host`.
 */
export const requireHost: RequestHandler = (req, _res, next) => {
  const hostname = req.hostname as string | undefined;
  next(hostname ? undefined : new AppError('bad_request', 'The request must name its host in the Host header.'));
};

/** `%00`–`%1F` (but tab, line feed, carriage return) and `%7F`, percent-encoded. */
const ENCODED_CONTROL_CHARACTER = /%(?:0[0-8BCEFbcef]|1[0-9A-Fa-f]|7[Ff])/;

/**
 * Control characters in the path or the query, percent-encoded (Node's parser refuses raw ones)
 * are a 400 before any route decodes them into a parameter that reaches Postgres.
 */
export const refuseControlCharactersInUrl: RequestHandler = (req, _res, next) => {
  const refused = ENCODED_CONTROL_CHARACTER.test(req.url) || characterRuleBroken(req.url) !== undefined;
  next(refused ? new AppError('bad_request', 'The request URL contains control characters.') : undefined);
};

function carriesBody(req: Request): boolean {
  if (req.headers['transfer-encoding'] !== undefined) return true;
  const length = Number(req.headers['content-length'] ?? '0');
  return !Number.isFinite(length) || length > 0;
}

/**
 * The routes after JSON parsing read `req.body` as JSON: a body of any other type (or none) is a
 * 415, not a body silently left unread and then reported as missing fields.
 */
export const requireJsonBody: RequestHandler = (req, _res, next) => {
  const refused = carriesBody(req) && req.is('application/json') === false;
  next(refused ? new AppError('unsupported_media_type', 'The request body must be JSON (Content-Type: application/json).') : undefined);
};

/**
 * Control characters or unpaired surrogates in any string or field name of a JSON body are a 400
 * naming the field, for every route, whether it validates that field or not (Postgres refuses
 * them; a 500 would follow).
 */
export const refuseInvalidCharactersInBody: RequestHandler = (req, _res, next) => {
  const body: unknown = req.body;
  const errors = body === undefined ? [] : characterProblems(body, 'body');
  next(errors.length > 0 ? new AppError('validation_failed', 'The request body is invalid.', { errors }) : undefined);
};
