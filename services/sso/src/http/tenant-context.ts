import type { RequestHandler, Response } from 'express';
import type { PlatformClient } from '@mindbot/db';
import { AppError } from '@mindbot/errors';
import { hostOf, publicOriginOf, responseLocal } from '@mindbot/http';
import { hostsOfTenant, slugOfPlatformHost } from '@mindbot/tenancy';
import { z } from 'zod';
import type { Auditor } from '../domain/audit.js';

const tenantSsoSettings = z
  .object({ passwordLogin: z.boolean().default(true), jitProvisioning: z.boolean().default(true) })
  .catch({ passwordLogin: true, jitProvisioning: true });

/** The tenant a request is for, decided by the host it arrived on (its platform host or one of its own domains). */
export interface TenantContext {
  slug: string;
  host: string;
  /**
   * Base of the URLs this tenant's IdPs call back: the scheme, host and port the request reached the
   * platform at, e.g. https://acme.example or http://initech.localhost:8080 (see publicOriginOf).
   */
  publicOrigin: string;
  passwordLogin: boolean;
  jitProvisioning: boolean;
  /** The tenant's own host names (platform hosts and the domains it is served at): where a browser sign-in may return to. */
  ownHosts: string[];
}

interface Cached {
  at: number;
  row: { slug: string; status: string; home: boolean; sso: unknown; region: string; domains: { domain: string }[] } | null;
}

/**
 * Resolves the tenant from the Host (through express's trust-proxy rules), never from the body or
 * query. A missing or malformed host answers 400; unknown hosts 404; a tenant of another region 421;
 * a suspended tenant 403, audited. `scheme` (SSO_PUBLIC_SCHEME): https makes every URL handed out
 * https; http leaves the scheme to the request (https only from a proxy TRUST_PROXY trusts).
 */
export function tenantContext(options: {
  platform: PlatformClient;
  scheme: 'http' | 'https';
  baseDomain: string;
  auditor: Auditor;
  cacheMs?: number;
}): RequestHandler {
  const select = { slug: true, status: true, home: true, sso: true, region: true, domains: { select: { domain: true } } } as const;
  // `<slug>.<base domain>` names the tenant directly, as at the gateway; any other host must be one of a tenant's domains.
  const lookup = async (host: string): Promise<Cached['row']> => {
    const slug = slugOfPlatformHost(host, options.baseDomain);
    if (slug !== undefined) return options.platform.tenant.findUnique({ where: { slug }, select });
    const domain = await options.platform.tenantDomain.findUnique({ where: { domain: host }, include: { tenant: { select } } });
    return domain ? domain.tenant : null;
  };
  const cache = new Map<string, Cached>();
  const cacheMs = options.cacheMs ?? 15_000;
  return async (req, res, next) => {
    const host = hostOf(req);
    let cached = cache.get(host);
    if (!cached || Date.now() - cached.at > cacheMs) {
      cached = { at: Date.now(), row: await lookup(host) };
      if (cache.size > 5_000) cache.clear();
      cache.set(host, cached);
    }
    const row = cached.row;
    if (!row) throw new AppError('not_found', 'No tenant is served at this host.');
    if (!row.home) throw new AppError('misdirected_request', 'This tenant is served in another region.');
    if (row.status === 'suspended') {
      await options.auditor.record(row.slug, {
        action: 'sso.refused.tenant_suspended',
        data: { path: req.path },
        requestId: typeof req.id === 'string' ? req.id : undefined,
      });
      throw new AppError('tenant_suspended', 'This tenant is suspended.');
    }
    if (row.status !== 'active') throw new AppError('unavailable', 'This tenant is not available right now.');
    const sso = tenantSsoSettings.parse(row.sso);
    const ownHosts = hostsOfTenant({ slug: row.slug, region: row.region, domains: row.domains.map((d) => d.domain) }, options.baseDomain);
    const context: TenantContext = {
      slug: row.slug,
      host,
      publicOrigin: publicOriginOf(req, { scheme: options.scheme }),
      passwordLogin: sso.passwordLogin,
      jitProvisioning: sso.jitProvisioning,
      ownHosts,
    };
    tenantLocal.set(res, context);
    req.log = req.log.child({ tenantId: row.slug });
    next();
  };
}

const tenantLocal = responseLocal<TenantContext>('tenant');

export function tenantOf(res: Response): TenantContext {
  return tenantLocal.get(res);
}
