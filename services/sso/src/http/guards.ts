import type { Request, RequestHandler } from 'express';
import { requireRole, TENANT_ADMIN_ROLES } from '@mindbot/auth';
import type { Connection } from '../data/connection-repository.js';
import type { SsoDeps } from '../deps.js';
import { refuseLogin } from './refuse-login.js';
import type { RouteContext } from './route-context.js';
import { requireTenantToken } from './tenant-auth.js';
import type { TenantContext } from './tenant-context.js';

/** A signed-in admin of this host's tenant: an owner, an admin, or its reseller's admin. */
export function tenantAdmin(sso: SsoDeps): RequestHandler[] {
  return [requireTenantToken(sso.verifier, sso.tokens), requireRole(...TENANT_ADMIN_ROLES)];
}

/** A signed-in owner or admin of this host's tenant itself (not a reseller acting in it). */
export function ownTenantAdmin(sso: SsoDeps): RequestHandler[] {
  return [requireTenantToken(sso.verifier, sso.tokens), requireRole('owner', 'admin')];
}

/** A signed-in user of this host's tenant, from a session that is still live. */
export function signedIn(sso: SsoDeps): RequestHandler {
  return requireTenantToken(sso.verifier, sso.tokens);
}

export function requestIdOf(req: Request): string | undefined {
  return typeof req.id === 'string' ? req.id : undefined;
}

/**
 * The connection a sign-in names, in this tenant only; unknown and disabled ones are refused and
 * audited (back to `returnTo` when the sign-in's stored relay has one).
 */
export async function loginConnection<K extends Connection['kind']>(
  ctx: RouteContext,
  req: Request,
  tenant: TenantContext,
  id: string,
  kind: K,
  returnTo?: string,
): Promise<Extract<Connection, { kind: K }>> {
  const connection = await ctx.sso.connectionAdmin.find(tenant.slug, id);
  if (connection?.kind !== kind)
    return refuseLogin(ctx.sso.auditor, req, tenant.slug, {
      reason: 'unknown_connection',
      detail: id.slice(0, 64),
      status: 'not_found',
      returnTo,
    });
  if (connection.status !== 'active')
    return refuseLogin(ctx.sso.auditor, req, tenant.slug, {
      reason: 'connection_disabled',
      connectionId: connection.id,
      status: 'forbidden',
      returnTo,
    });
  return connection as Extract<Connection, { kind: K }>;
}
