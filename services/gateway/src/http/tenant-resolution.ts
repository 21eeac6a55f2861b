import type { RequestHandler, Response } from 'express';
import { AppError } from '@mindbot/errors';
import { hostOf, responseLocal } from '@mindbot/http';
import { hostsOfTenant } from '@mindbot/tenancy';
import type { TenantRecord } from '../data/tenant-registry.js';
import type { GatewayDeps } from '../deps.js';

/** The tenant a host names: `<slug>.<base domain>` (also `<slug>.<region>.<base domain>`), else one of the tenants' own domains. */
export async function tenantOfHost(gateway: GatewayDeps, host: string): Promise<TenantRecord | null> {
  const slug = gateway.regions.slugOfHost(host);
  if (slug !== undefined) {
    const bySlug = /^[a-z]([a-z0-9-]*[a-z0-9])?$/.test(slug) ? await gateway.registry.bySlug(slug) : null;
    if (bySlug) return bySlug;
  }
  return gateway.registry.byDomain(host);
}

/**
 * Every tenant route starts here: the tenant comes from the verified host. Unknown → 404; another
 * region → a redirect for browsers or a 421 problem naming the regional URL, never served from
 * here; suspended → 403 tenant_suspended; not yet (or no longer) active → 503.
 */
export function resolveTenant(gateway: GatewayDeps): RequestHandler {
  return async (req, res, next) => {
    // `Host`, or `X-Forwarded-Host` only from a hop TRUST_PROXY trusts; a 400 when it names no valid host.
    const host = hostOf(req);
    const tenant = await tenantOfHost(gateway, host);
    if (!tenant || tenant.status === 'deprovisioning') throw new AppError('not_found', 'No tenant is served at this host.');
    if (tenant.region !== gateway.region) {
      const baseUrl = gateway.regions.baseUrlOf(tenant.slug, tenant.region);
      const location = `${baseUrl}${req.originalUrl}`;
      if ((req.method === 'GET' || req.method === 'HEAD') && req.accepts(['application/json', 'text/html']) === 'text/html') {
        res.redirect(307, location);
        return;
      }
      throw new AppError('misdirected_request', `This tenant is served in region ${tenant.region}; send the request to ${baseUrl}.`, {
        extensions: { region: tenant.region, baseUrl },
        headers: { Location: location },
      });
    }
    if (!tenant.home) throw new AppError('unavailable', 'This tenant is not available in this region right now.');
    if (tenant.suspended || tenant.status === 'suspended') throw new AppError('tenant_suspended', 'This tenant is suspended.');
    if (tenant.status !== 'active')
      throw new AppError('unavailable', 'This tenant is not available yet.', { headers: { 'Retry-After': '10' } });
    tenantLocal.set(res, tenant);
    hostLocal.set(res, host);
    req.log = req.log.child({ tenantId: tenant.slug });
    next();
  };
}

const tenantLocal = responseLocal<TenantRecord>('tenant');
/** The verified host the tenant was resolved from (what upstream services are told as X-Forwarded-Host). */
export const hostLocal = responseLocal<string>('host');

export function tenantOf(res: Response): TenantRecord {
  return tenantLocal.get(res);
}

/** The tenant's own browser origins: its platform host and its own domains. */
export function originsOf(gateway: GatewayDeps, tenant: TenantRecord, port?: string): Set<string> {
  const origins = new Set<string>();
  for (const host of hostsOfTenant(tenant, gateway.baseDomain)) {
    origins.add(`${gateway.scheme}://${host}`);
    if (port) origins.add(`${gateway.scheme}://${host}:${port}`);
  }
  return origins;
}
