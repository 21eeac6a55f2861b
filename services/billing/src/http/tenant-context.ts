import type { RequestHandler, Response } from 'express';
import { principalOf } from '@mindbot/auth';
import type { PlatformClient } from '@mindbot/db';
import { AppError } from '@mindbot/errors';
import { responseLocal } from '@mindbot/http';
import { tenantSlugSchema } from '@mindbot/tenancy';

/** The tenant a request acts for, as the registry describes it. */
export interface TenantContext {
  slug: string;
  displayName: string;
  currency: string;
  platformFeePercent: number;
  domains: string[];
  /** The plan's limit of voice sessions running at once in the tenant. */
  concurrentSessions: number;
  /** Whether calls' transcripts are kept (`agent.transcripts` in the manifest, on unless turned off). */
  keepTranscripts: boolean;
}

interface CachedTenant {
  value: TenantContext | 'suspended' | undefined;
  until: number;
}

/** Registry reads, cached for a few seconds: the registry changes rarely and every request needs it. */
export class TenantDirectory {
  private readonly cache = new Map<string, CachedTenant>();

  constructor(
    private readonly platform: PlatformClient,
    private readonly ttlMs = 5_000,
  ) {}

  async lookup(slug: string): Promise<TenantContext | 'suspended' | undefined> {
    const hit = this.cache.get(slug);
    if (hit && hit.until > Date.now()) return hit.value;
    // The manifest's domains: the ones the gateway serves the tenant at (set by the platform engineer, so trusted as they are).
    const row = await this.platform.tenant.findUnique({ where: { slug }, include: { domains: { orderBy: { domain: 'asc' } } } });
    let value: TenantContext | 'suspended' | undefined;
    if (!row?.home || row.status === 'deprovisioning' || row.status === 'provisioning') value = undefined;
    else if (row.suspended || row.status === 'suspended') value = 'suspended';
    else {
      const billing = row.billing as { currency?: unknown; platformFeePercent?: unknown };
      const limits = row.limits as { concurrentSessions?: unknown };
      const agent = row.agent as { transcripts?: unknown };
      value = {
        slug,
        displayName: row.displayName,
        currency: typeof billing.currency === 'string' ? billing.currency : 'usd',
        platformFeePercent: typeof billing.platformFeePercent === 'number' ? billing.platformFeePercent : 10,
        domains: row.domains.map((d) => d.domain),
        // The manifest's default when a registry row predates the limit.
        concurrentSessions: typeof limits.concurrentSessions === 'number' ? limits.concurrentSessions : 10,
        keepTranscripts: agent.transcripts !== false,
      };
    }
    if (this.cache.size > 10_000) this.cache.clear();
    this.cache.set(slug, { value, until: Date.now() + this.ttlMs });
    return value;
  }

  /** Resolves the tenant or throws the answer: unknown here is a 404, suspended a 403. */
  async require(slug: string): Promise<TenantContext> {
    const found = tenantSlugSchema.safeParse(slug).success ? await this.lookup(slug) : undefined;
    if (found === undefined) throw new AppError('not_found', 'No such tenant is served here.');
    if (found === 'suspended') throw new AppError('tenant_suspended', 'This tenant is suspended.');
    return found;
  }
}

/** After requireAuth: the tenant comes from the token, never from the request. */
export function tenantFromToken(directory: TenantDirectory): RequestHandler {
  return async (_req, res, next) => {
    tenantLocal.set(res, await directory.require(principalOf(res).tenant));
    next();
  };
}

/** On /internal/v1/tenants/:tenant/… routes, after the service credential was checked. */
export function tenantFromPath(directory: TenantDirectory): RequestHandler {
  return async (req, res, next) => {
    const slug = req.params.tenant;
    tenantLocal.set(res, await directory.require(typeof slug === 'string' ? slug : ''));
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
 * The gateway resolved the tenant from this host and checked the token against it; billing does
 * not know the base domain, so it checks again only that the host is one of the tenant's domains
 * or one of its platform hosts (`<slug>.<base>`, `<slug>.<region>.<base>`).
 */
function isHostOf(tenant: TenantContext, host: string): boolean {
  return tenant.domains.some((domain) => domain.toLowerCase() === host) || host.startsWith(`${tenant.slug}.`);
}
