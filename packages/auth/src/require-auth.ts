import type {} from 'pino-http';
import type { RequestHandler, Response } from 'express';
import { AppError } from '@mindbot/errors';
import { responseLocal } from '@mindbot/http';
import type { Principal } from './principal.js';
import type { TokenVerifier } from './token-verifier.js';

/** The verified caller, set by requireAuth (or a service's own token check). */
export const principalLocal = responseLocal<Principal>(
  'principal',
  () => new AppError('unauthenticated', 'A Bearer access token is required.'),
);

const BEARER = /^Bearer ([A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+)$/;

/** Requires a valid platform access token; the principal is then at `principalOf(res)`. */
export function requireAuth(verifier: TokenVerifier): RequestHandler {
  return async (req, res, next) => {
    const match = BEARER.exec(req.headers.authorization ?? '');
    if (!match?.[1]) {
      throw new AppError('unauthenticated', 'A Bearer access token is required.', { headers: { 'WWW-Authenticate': 'Bearer' } });
    }
    const principal = await verifier.verify(match[1]);
    principalLocal.set(res, principal);
    req.log = req.log.child({ tenantId: principal.tenant, userId: principal.userId });
    next();
  };
}

export function principalOf(res: Response): Principal {
  return principalLocal.get(res);
}

/** Requires one of the roles (after requireAuth). */
export function requireRole(...roles: readonly string[]): RequestHandler {
  return (_req, res, next) => {
    const principal = principalOf(res);
    if (!principal.roles.some((r) => roles.includes(r)))
      throw new AppError('forbidden', `This needs one of the roles: ${roles.join(', ')}.`);
    next();
  };
}
