import type { RequestHandler } from 'express';
import { principalLocal, type TokenVerifier } from '@mindbot/auth';
import { AppError } from '@mindbot/errors';
import type { TokenService } from '../domain/token-service.js';
import { tenantOf } from './tenant-context.js';

const BEARER = /^Bearer ([A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+)$/;

const refused = () =>
  new AppError('unauthenticated', 'The access token is missing, invalid or expired.', {
    headers: { 'WWW-Authenticate': 'Bearer error="invalid_token"' },
  });

/**
 * A platform token for this host's tenant, from a session that is still live. A token of another
 * tenant is refused exactly like an invalid one.
 */
export function requireTenantToken(verifier: TokenVerifier, tokens: TokenService): RequestHandler {
  return async (req, res, next) => {
    const match = BEARER.exec(req.headers.authorization ?? '');
    if (!match?.[1])
      throw new AppError('unauthenticated', 'A Bearer access token is required.', { headers: { 'WWW-Authenticate': 'Bearer' } });
    const principal = await verifier.verify(match[1]);
    const tenant = tenantOf(res);
    if (principal.tenant !== tenant.slug) {
      req.log.warn({ tokenTenant: principal.tenant }, 'token of another tenant refused');
      throw refused();
    }
    if (!(await tokens.sessionIsLive(tenant.slug, principal.sessionId))) throw refused();
    principalLocal.set(res, principal);
    req.log = req.log.child({ userId: principal.userId });
    next();
  };
}
