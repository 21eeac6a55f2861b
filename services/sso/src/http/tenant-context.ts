import type { RequestHandler, Response } from 'express';
import { hostOf, publicOriginOf, responseLocal } from '@mindbot/http';
import { hostsOfTenant } from '@mindbot/tenancy';
import { servingOf, type TenantRegistry } from '@mindbot/tenant-registry';
import type { Auditor } from '../domain/audit.js';
import type { MailingTenant } from '../domain/tenant-mail.js';
import { mailLookOf } from './mailing-tenant.js';

/** The tenant a request is for, decided by the host it arrived on (its platform host or one of its own domains). */
export interface TenantContext {
  slug: string;
  /** The name users know the tenant by: the sender of its mail. */
  displayName: string;
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
  /** Websites that embed the tenant's widget: their pages may be returned to after a sign-in too. */
  embedOrigins: string[];
  /** The tenant's mail look: its effective branding and language (ADR 0058). */
  mailLook: MailingTenant['look'];
}

/**
 * Resolves the tenant from the Host (through express's trust-proxy rules), never from the body or
 * query, through the process's registry reader. A missing or malformed host answers 400; otherwise
 * the answers every service gives (servingOf: unknown 404, another region 421, suspended 403, not
 * ready 503); a suspended tenant's refusal is audited. `scheme` (SSO_PUBLIC_SCHEME): https makes
 * every URL handed out https; http leaves the scheme to the request (https only from a proxy
 * TRUST_PROXY trusts).
 */
export function tenantContext(options: {
  registry: TenantRegistry;
  region: string;
  scheme: 'http' | 'https';
  baseDomain: string;
  auditor: Auditor;
}): RequestHandler {
  return async (req, res, next) => {
    const host = hostOf(req);
    const found = await options.registry.byHost(host, options.baseDomain);
    const serving = servingOf(found, { region: options.region });
    if (!serving.served) {
      if (found && serving.problem.code === 'tenant_suspended') {
        await options.auditor.record(found.slug, {
          action: 'sso.refused.tenant_suspended',
          data: { path: req.path },
          requestId: typeof req.id === 'string' ? req.id : undefined,
        });
      }
      throw serving.problem;
    }
    const { tenant } = serving;
    const context: TenantContext = {
      slug: tenant.slug,
      displayName: tenant.displayName,
      host,
      publicOrigin: publicOriginOf(req, { scheme: options.scheme }),
      passwordLogin: tenant.sso.passwordLogin,
      jitProvisioning: tenant.sso.jitProvisioning,
      ownHosts: hostsOfTenant(tenant, options.baseDomain),
      embedOrigins: tenant.embedOrigins,
      mailLook: mailLookOf(tenant),
    };
    tenantLocal.set(res, context);
    req.log = req.log.child({ tenantId: tenant.slug });
    next();
  };
}

const tenantLocal = responseLocal<TenantContext>('tenant');

export function tenantOf(res: Response): TenantContext {
  return tenantLocal.get(res);
}
