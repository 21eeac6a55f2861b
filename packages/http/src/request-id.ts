import type { IncomingMessage, ServerResponse } from 'node:http';
import { newId } from '@mindbot/ids';

const ACCEPTED_REQUEST_ID = /^[A-Za-z0-9._:-]{1,128}$/;

/** Keeps a caller's well-formed X-Request-Id (so a request can be followed across services), else makes one. */
export function requestIdOf(req: IncomingMessage, res: ServerResponse): string {
  const incoming = req.headers['x-request-id'];
  const id = typeof incoming === 'string' && ACCEPTED_REQUEST_ID.test(incoming) ? incoming : newId('request');
  res.setHeader('X-Request-Id', id);
  return id;
}
