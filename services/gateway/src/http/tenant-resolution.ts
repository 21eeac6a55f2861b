import type { RequestHandler, Response } from 'express';
import { addLogBindings, hostOf, responseLocal } from '@mindbot/http';
import { hostsOfTenant } from '@mindbot/tenancy';
import { servingOf, type TenantRecord } from '@mindbot/tenant-registry';
import type { GatewayDeps } from '../deps.js';

/**
 * Every tenant route starts here: the tenant comes from the verified host (`<slug>.<base domain>`,
 * `<slug>.<region>.<base domain>`, or one of the tenants' own domains), and is served only when
 * servingOf says so (the answers every service gives). A browser asking for another region's tenant
 * is redirected to the tenant's regional URL instead of the 421.
 */
export function resolveTenant(gateway: GatewayDeps): RequestHandler {
  return async (req, res, next) => {
    // `Host`, or `X-Forwarded-Host` only from a hop TRUST_PROXY trusts; a 400 when it names no valid host.
    const host = hostOf(req);
    const serving = servingOf(await gateway.registry.byHost(host, gateway.baseDomain), {
      region: gateway.region,
      elsewhere: { baseUrlOf: (slug, region) => gateway.regions.baseUrlOf(slug, region), path: req.originalUrl },
    });
    if (!serving.served) {
      const location = serving.problem.options.headers?.Location;
      const browser = (req.method === 'GET' || req.method === 'HEAD') && req.accepts(['application/json', 'text/html']) === 'text/html';
      if (location !== undefined && browser) {
        res.redirect(307, location);
        return;
      }
      throw serving.problem;
    }
    const { tenant } = serving;
    tenantLocal.set(res, tenant);
    hostLocal.set(res, host);
    addLogBindings(req, { tenantId: tenant.slug });
    next();
  };
}

const tenantLocal = responseLocal<TenantRecord>('tenant');
/** The verified host the tenant was resolved from (what upstream services are told as X-Forwarded-Host). */
export const hostLocal = responseLocal<string>('host');

export function tenantOf(res: Response): TenantRecord {
  return tenantLocal.get(res);
}

/** The browser origins that may call the tenant's API: its platform host, its own domains, and the websites it lets embed its widget. */
export function originsOf(gateway: GatewayDeps, tenant: TenantRecord, port?: string): Set<string> {
  const origins = new Set<string>();
  for (const host of hostsOfTenant(tenant, gateway.baseDomain)) {
    origins.add(`${gateway.scheme}://${host}`);
    if (port) origins.add(`${gateway.scheme}://${host}:${port}`);
  }
  for (const origin of tenant.embedOrigins) origins.add(origin);
  return origins;
}
