export { TenantRegistry, TENANT_CHANGED_CHANNEL, type TenantRegistryOptions } from './tenant-registry.js';
export { servingOf, type ServingPlace, type TenantServing } from './tenant-serving.js';
export type { TenantRecord } from './tenant-record.js';
export { PgListener, type NotificationHandler } from './pg-listener.js';
export { BrandingOverrides, type BrandingPatch, type BrandingView, type BrandingSaveResult } from './branding-overrides.js';
