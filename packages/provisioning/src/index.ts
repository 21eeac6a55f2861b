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
