import type { Request, RequestHandler } from 'express';
import { requireRole } from '@mindbot/auth';
import type { Connection } from '../data/connection-repository.js';
import type { Sso } from '../sso.js';
import { refuseLogin } from './refuse-login.js';
import { requireTenantToken } from './tenant-auth.js';
import type { TenantContext } from './tenant-context.js';

/** A signed-in admin or owner of this host's tenant. */
export function tenantAdmin(sso: Sso): RequestHandler[] {
  return [requireTenantToken(sso.verifier, sso.tokens), requireRole('owner', 'admin')];
}

export function signedIn(sso: Sso): RequestHandler {
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
  sso: Sso,
  req: Request,
  tenant: TenantContext,
  id: string,
  kind: K,
  returnTo?: string,
): Promise<Extract<Connection, { kind: K }>> {
  const connection = await sso.deps.tenants.forTenant(tenant.slug).transaction((tx) => sso.connections.find(tx, tenant.slug, id));
  if (connection?.kind !== kind)
    return refuseLogin(sso.auditor, req, tenant.slug, {
      reason: 'unknown_connection',
      detail: id.slice(0, 64),
      status: 'not_found',
      returnTo,
    });
  if (connection.status !== 'active')
    return refuseLogin(sso.auditor, req, tenant.slug, {
      reason: 'connection_disabled',
      connectionId: connection.id,
      status: 'forbidden',
      returnTo,
    });
  return connection as Extract<Connection, { kind: K }>;
}
