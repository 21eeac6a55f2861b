import type { Request, RequestHandler } from 'express';
import { AppError } from '@mindbot/errors';

const HOST_NAME = /^(?=.{1,253}$)[a-z0-9]([a-z0-9-]*[a-z0-9])?(\.[a-z0-9]([a-z0-9-]*[a-z0-9])?)*$/;

/**
 * The host a request names, as express reads it (`Host`, or `X-Forwarded-Host` only from a hop
 * `trust proxy` trusts), lower-cased, without port or trailing dot; a 400 problem when there is
 * none or it is not a DNS name (tenants are resolved from it, so it must be one).
 */
export function hostOf(req: Request): string {
  // express 5 leaves `hostname` undefined when no host was sent (HTTP/1.0, an empty Host).
  const hostname = req.hostname as string | undefined;
  const host = (hostname ?? '').toLowerCase().replace(/\.$/, '');
  if (!HOST_NAME.test(host)) throw new AppError('bad_request', 'The Host header does not name a valid host.');
  return host;
}

/**
 * RFC 9112 §3.2: a request that names no host is a 400. Node refuses an HTTP/1.1 request without
 * `Host` itself; this covers HTTP/1.0, an empty `Host` and an empty trusted `X-Forwarded-Host`.
 */
export const requireHost: RequestHandler = (req, _res, next) => {
  const hostname = req.hostname as string | undefined;
  next(hostname ? undefined : new AppError('bad_request', 'The request must name its host in the Host header.'));
};
