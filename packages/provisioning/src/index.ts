export {
  TenantProvisioner,
  ProvisioningError,
  type ProvisionOutcome,
  type ProvisionerDeps,
  type DatabaseOutcome,
  type ExistingTenant,
  type ProvisioningErrorCode,
} from './tenant-provisioner.js';
export { registryRowOf } from './registry-row.js';
export { buildTenantSchema, type BuiltSchema, type SchemaTarget } from './tenant-schema-builder.js';
export { loadTenantBaseline, type TenantBaseline } from './tenant-baseline.js';
