import type { RequestHandler, Response } from 'express';
import { principalOf } from '@mindbot/auth';
import { responseLocal } from '@mindbot/http';
import type { TenantRecord, TenantRegistry } from '@mindbot/tenant-registry';

/** The tenant a request acts for, as the registry describes it: what billing's routes use of it. */
export interface TenantContext {
  slug: string;
  displayName: string;
  currency: string;
  platformFeePercent: number;
  domains: string[];
  /** Other websites' origins that may embed the tenant's web widget (`embedOrigins` in the manifest, through the registry). */
  embedOrigins: string[];
  /** The plan's limit of voice sessions running at once in the tenant. */
  concurrentSessions: number;
  /** Whether calls' transcripts are kept (`agent.transcripts` in the manifest, on unless turned off). */
  keepTranscripts: boolean;
}

function contextOf(tenant: TenantRecord): TenantContext {
  return {
    slug: tenant.slug,
    displayName: tenant.displayName,
    currency: tenant.billing.currency,
    platformFeePercent: tenant.billing.platformFeePercent,
    domains: tenant.domains,
    embedOrigins: tenant.embedOrigins,
    concurrentSessions: tenant.limits.concurrentSessions,
    keepTranscripts: tenant.keepTranscripts,
  };
}

/** After requireAuth: the tenant comes from the token, never from the request. */
export function tenantFromToken(registry: TenantRegistry): RequestHandler {
  return async (_req, res, next) => {
    tenantLocal.set(res, contextOf(await registry.servedBySlug(principalOf(res).tenant)));
    next();
  };
}

/** On /internal/v1/tenants/:tenant/… routes, after the service credential was checked. */
export function tenantFromPath(registry: TenantRegistry): RequestHandler {
  return async (req, res, next) => {
    const slug = req.params.tenant;
    tenantLocal.set(res, contextOf(await registry.servedBySlug(typeof slug === 'string' ? slug : '')));
    req.log = req.log.child({ tenantId: slug });
    next();
  };
}

const tenantLocal = responseLocal<TenantContext>('tenant');

export function tenantOf(res: Response): TenantContext {
  return tenantLocal.get(res);
}

/**
 * Where Checkout and onboarding send people back. `origin` is where the request reached the
 * platform (forwardedOriginOf: the gateway's X-Forwarded-Proto/Host, port included, believed only
 * from a hop TRUST_PROXY trusts): used when it is one of the tenant's hosts, so a buyer at
 * `http://initech.localhost:8080` returns there. Otherwise (no such origin, as for the agent's
 * purchases in a call) the tenant's own site when it has one, else the platform app.
 */
export function appUrlOf(tenant: TenantContext, fallback: string, origin?: string): string {
  if (origin !== undefined && isHostOf(tenant, new URL(origin).hostname)) return origin;
  const domain = tenant.domains[0];
  return domain ? `https://${domain}` : fallback;
}

/**
 * Whether Checkout may send a buyer back to `url` (a purchase's `returnUrl`): only to a page on one
 * of the tenant's origins, never elsewhere (no open redirect through the tenant's Checkout). Those
 * are the origin the request reached the tenant at (`origin`, as appUrlOf accepts it: a tenant
 * host the trusted gateway forwarded, port included), the tenant's own domains over https, and the
 * websites the manifest lets embed its widget (`embedOrigins`). A platform host is accepted only
 * as the forwarded origin: billing does not know the base domain, and `<slug>.` alone is no proof.
 */
export function isReturnUrlOf(tenant: TenantContext, url: string, origin?: string): boolean {
  let target: URL;
  try {
    target = new URL(url);
  } catch {
    return false;
  }
  if (target.protocol !== 'https:' && target.protocol !== 'http:') return false;
  const allowed = new Set(tenant.embedOrigins.map(originOf));
  for (const domain of tenant.domains) allowed.add(`https://${domain.toLowerCase()}`);
  if (origin !== undefined && isHostOf(tenant, new URL(origin).hostname)) allowed.add(originOf(origin));
  return allowed.has(target.origin);
}

/** An origin as URL writes it (lower-case host, default port dropped); an unparsable one matches nothing. */
function originOf(origin: string): string {
  try {
    return new URL(origin).origin;
  } catch {
    return '';
  }
}

/**
 * The gateway resolved the tenant from this host and checked the token against it; billing does
 * not know the base domain, so it checks again only that the host is one of the tenant's domains
 * or one of its platform hosts (`<slug>.<base>`, `<slug>.<region>.<base>`).
 */
function isHostOf(tenant: TenantContext, host: string): boolean {
  return tenant.domains.some((domain) => domain.toLowerCase() === host) || host.startsWith(`${tenant.slug}.`);
}
