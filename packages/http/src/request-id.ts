import type { IncomingMessage, ServerResponse } from 'node:http';
import { newId } from '@mindbot/ids';

const ACCEPTED_REQUEST_ID = /^[A-Za-z0-9._:-]{1,128}$/;

/** A caller's well-formed X-Request-Id (so a request can be followed across services), else a new one. */
export function requestIdFrom(req: IncomingMessage): string {
  const incoming = req.headers['x-request-id'];
  return typeof incoming === 'string' && ACCEPTED_REQUEST_ID.test(incoming) ? incoming : newId('request');
}

/** {@link requestIdFrom}, answered in the X-Request-Id header. */
export function requestIdOf(req: IncomingMessage, res: ServerResponse): string {
  const id = requestIdFrom(req);
  res.setHeader('X-Request-Id', id);
  return id;
}
