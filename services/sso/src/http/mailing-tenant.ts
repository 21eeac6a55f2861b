import type { TenantRecord } from '@mindbot/tenant-registry';
import type { SsoConfig } from '../config.js';
import type { MailingTenant } from '../domain/tenant-mail.js';
import type { TenantContext } from './tenant-context.js';

/** A request's tenant as its mail names it: links lead back to the origin the request reached it at. */
export function mailingTenantOf(tenant: TenantContext): MailingTenant {
  return { slug: tenant.slug, displayName: tenant.displayName, origin: tenant.publicOrigin, look: tenant.mailLook };
}

/** The registry's effective branding (manifest, console edits, defaults) and the tenant's language, as its mail shows them. */
export function mailLookOf(tenant: TenantRecord): MailingTenant['look'] {
  const { logoUrl, primaryColor, accentColor } = tenant.branding;
  return { logoUrl, primaryColor, accentColor, language: tenant.agent.language };
}

/**
 * A tenant as the platform's own mail names it, with no request to read an origin from: its first
 * own domain, else its platform host `<slug>.<BASE_DOMAIN>`, on SSO_PUBLIC_SCHEME and SSO_PUBLIC_PORT.
 */
export function platformMailingTenantOf(tenant: TenantRecord, config: SsoConfig): MailingTenant {
  const host = tenant.domains[0]?.toLowerCase() ?? `${tenant.slug}.${config.BASE_DOMAIN}`;
  const port = config.SSO_PUBLIC_PORT === undefined ? '' : `:${config.SSO_PUBLIC_PORT}`;
  return {
    slug: tenant.slug,
    displayName: tenant.displayName,
    origin: new URL(`${config.SSO_PUBLIC_SCHEME}://${host}${port}`).origin,
    look: mailLookOf(tenant),
  };
}
