export { Operator, FIELD_MANAGER, type OperatorOptions } from './operator.js';
export type { BillingStep } from './controllers/tenant/billing.js';
export { tenantCrd, tenantCrdYaml } from './api/v1alpha1/crd.js';
export * from './api/v1alpha1/tenant-types.js';
export { loadOperatorConfig, type OperatorConfig } from './config.js';
