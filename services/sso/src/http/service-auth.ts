import { createHash, timingSafeEqual } from 'node:crypto';
import type { RequestHandler } from 'express';
import { AppError } from '@mindbot/errors';

const digest = (value: string): Buffer => createHash('sha256').update(value, 'utf8').digest();

/**
 * Guards SSO's /internal routes (called by the platform's provisioning): `Authorization: Bearer
 * <token>` must be one of SSO_SERVICE_TOKENS (docs/adr/0021-internal-service-authentication.md,
 * as billing does it). Both sides are hashed first and every token is compared, so timing tells
 * nothing; with no token configured every call is refused.
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
