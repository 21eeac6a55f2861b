import type { RequestHandler, Response } from 'express';
import { TENANT_ADMIN_ROLES, type Principal } from '@mindbot/auth';
import { AppError } from '@mindbot/errors';
import { addLogBindings, responseLocal } from '@mindbot/http';
import type { VerifiedApiKey } from '../domain/api-keys.js';
import type { GatewayDeps } from '../deps.js';
import { tenantOf } from './tenant-resolution.js';

/** Who is calling: a signed-in user (platform token) or an API key of the tenant. */
export type Caller = { kind: 'user'; id: string; principal: Principal } | { kind: 'api_key'; id: string; apiKey: VerifiedApiKey };

const callerLocal = responseLocal<Caller>('caller');

const JWT = /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/;
const INVALID_TOKEN = 'The access token is missing, invalid or expired.';

function unauthenticated(message: string, reason: string): AppError {
  return new AppError('unauthenticated', message, {
    headers: { 'WWW-Authenticate': 'Bearer error="invalid_token"' },
    cause: new Error(reason),
  });
}

/**
 * Establishes the caller when a credential is presented (routes decide whether one is required).
 * `Authorization: Bearer <platform JWT>` or `Bearer mb_live_…` / `X-Api-Key: mb_…`. A token of
 * another tenant than the host's is refused like an invalid one; so is a revoked or unknown key.
 */
export function authenticate(gateway: GatewayDeps): RequestHandler {
  return async (req, res, next) => {
    const authorization = req.headers.authorization;
    const headerKey = req.headers['x-api-key'];
    if (authorization === undefined && headerKey === undefined) {
      next();
      return;
    }
    const tenant = tenantOf(res);
    const bearer = /^Bearer (\S+)$/.exec(authorization ?? '')?.[1];
    const key = typeof headerKey === 'string' ? headerKey : bearer?.startsWith('mb_') ? bearer : undefined;
    if (key !== undefined) {
      if (authorization !== undefined && typeof headerKey === 'string')
        throw unauthenticated('Present one credential, not two.', 'two_credentials');
      const apiKey = await gateway.apiKeys.verify(tenant.slug, key);
      if (!apiKey) throw unauthenticated('The API key is invalid, expired or revoked.', 'api_key_invalid');
      callerLocal.set(res, { kind: 'api_key', id: apiKey.id, apiKey });
      addLogBindings(req, { apiKeyId: apiKey.id });
      next();
      return;
    }
    if (bearer === undefined || !JWT.test(bearer)) throw unauthenticated(INVALID_TOKEN, 'malformed');
    const principal = await gateway.verifier.verify(bearer);
    if (principal.tenant !== tenant.slug) {
      req.log.warn({ tokenTenant: principal.tenant }, 'refused a token of another tenant');
      throw unauthenticated(INVALID_TOKEN, 'tenant_mismatch');
    }
    callerLocal.set(res, { kind: 'user', id: principal.userId, principal });
    addLogBindings(req, { userId: principal.userId });
    next();
  };
}

export function callerOf(res: Response): Caller | undefined {
  return callerLocal.find(res);
}

/** The tenant roles that administer it (API keys, among others). */
export const ADMIN_ROLES = TENANT_ADMIN_ROLES;

/** A signed-in user is required (API keys are refused). */
export function requireUser(...roles: readonly string[]): RequestHandler {
  return (_req, res, next) => {
    const caller = callerOf(res);
    if (caller?.kind !== 'user')
      throw new AppError('unauthenticated', 'Sign in: a Bearer access token is required.', { headers: { 'WWW-Authenticate': 'Bearer' } });
    if (roles.length > 0 && !caller.principal.roles.some((r) => roles.includes(r)))
      throw new AppError('forbidden', `This needs one of the roles: ${roles.join(', ')}.`);
    next();
  };
}

/** A signed-in user, or an API key holding `permission`. */
export function requireUserOrKey(permission: string): RequestHandler {
  return (_req, res, next) => {
    const caller = callerOf(res);
    if (!caller)
      throw new AppError('unauthenticated', 'A Bearer access token or an API key is required.', {
        headers: { 'WWW-Authenticate': 'Bearer' },
      });
    if (caller.kind === 'api_key' && !caller.apiKey.permissions.includes(permission))
      throw new AppError('forbidden', `This API key lacks the permission ${permission}.`);
    next();
  };
}

/** A signed-in admin of the tenant, or an API key holding `permission`. */
export function requireAdminOrKey(permission: string): RequestHandler {
  return (_req, res, next) => {
    const caller = callerOf(res);
    if (!caller)
      throw new AppError('unauthenticated', 'A Bearer access token or an API key is required.', {
        headers: { 'WWW-Authenticate': 'Bearer' },
      });
    const allowed =
      caller.kind === 'user'
        ? caller.principal.roles.some((r) => (ADMIN_ROLES as readonly string[]).includes(r))
        : caller.apiKey.permissions.includes(permission);
    if (!allowed) throw new AppError('forbidden', `This needs an admin, or an API key with ${permission}.`);
    next();
  };
}
