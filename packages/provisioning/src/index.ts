export { TenantProvisioner, ProvisioningError, type ProvisionOutcome, type ProvisionerDeps } from './tenant-provisioner.js';
export { registryRowOf } from './registry-row.js';
