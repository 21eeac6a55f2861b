import type { TenantRecord, TenantRegistry } from '@mindbot/tenant-registry';
import type { MailBrand } from './brand.js';
import type { BrandSource } from './notification-sender.js';

/** A tenant's mail look from the registry reader: effective branding (manifest, console overrides, defaults) and agent language. */
export function brandOfTenant(tenant: TenantRecord, origin: string): MailBrand {
  return {
    displayName: tenant.displayName,
    logoUrl: tenant.branding.logoUrl,
    primaryColor: tenant.branding.primaryColor,
    accentColor: tenant.branding.accentColor,
    language: tenant.agent.language,
    origin,
  };
}

/** Brands read through the process's tenant registry (cached; a branding save invalidates it). */
export function registryBrands(registry: TenantRegistry, originOf: (tenant: TenantRecord) => string): BrandSource {
  return {
    async brandOf(slug) {
      const tenant = await registry.bySlug(slug);
      return tenant ? brandOfTenant(tenant, originOf(tenant)) : null;
    },
  };
}
