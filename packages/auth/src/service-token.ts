import { createHash, timingSafeEqual } from 'node:crypto';
import type { RequestHandler } from 'express';
import { AppError } from '@mindbot/errors';

const digest = (value: string): Buffer => createHash('sha256').update(value, 'utf8').digest();

/**
 * Guards a service's /internal routes (billing's, called by the gateway and the agent; SSO's, called
 * by provisioning): `Authorization: Bearer <token>` must be one of the configured service tokens
 * (docs/adr/0021-internal-service-authentication.md); with none configured every call is refused.
 * Both sides are hashed first so the comparison takes the same time whatever the lengths, and every
 * configured token is compared, so timing does not reveal which one nearly matched.
 */
export function requireServiceToken(tokens: readonly string[]): RequestHandler {
  const expected = tokens.map(digest);
  return (req, _res, next) => {
    const match = /^Bearer (\S+)$/.exec(req.headers.authorization ?? '');
    const presented = digest(match?.[1] ?? '');
    let ok = false;
    for (const candidate of expected) ok = timingSafeEqual(candidate, presented) || ok;
    if (!match || !ok)
      throw new AppError('unauthenticated', 'A valid service credential is required.', {
        headers: { 'WWW-Authenticate': 'Bearer realm="mindbot-internal"' },
      });
    next();
  };
}
