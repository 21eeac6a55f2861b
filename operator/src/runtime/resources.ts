/** A kind of object the operator reads or writes, and where the API server serves it. */
export interface ResourceKind {
  apiVersion: string;
  kind: string;
  plural: string;
  namespaced: boolean;
}

function base(apiVersion: string): string {
  return apiVersion.includes('/') ? `/apis/${apiVersion}` : `/api/${apiVersion}`;
}

/** The collection path (across all namespaces when `namespace` is omitted), or an object's path. */
export function resourcePath(kind: ResourceKind, namespace?: string, name?: string): string {
  const scope = kind.namespaced && namespace !== undefined ? `/namespaces/${namespace}` : '';
  return `${base(kind.apiVersion)}${scope}/${kind.plural}${name === undefined ? '' : `/${name}`}`;
}

export const NAMESPACE: ResourceKind = { apiVersion: 'v1', kind: 'Namespace', plural: 'namespaces', namespaced: false };
export const SERVICE_ACCOUNT: ResourceKind = { apiVersion: 'v1', kind: 'ServiceAccount', plural: 'serviceaccounts', namespaced: true };
export const CONFIG_MAP: ResourceKind = { apiVersion: 'v1', kind: 'ConfigMap', plural: 'configmaps', namespaced: true };
export const SECRET: ResourceKind = { apiVersion: 'v1', kind: 'Secret', plural: 'secrets', namespaced: true };
export const SERVICE: ResourceKind = { apiVersion: 'v1', kind: 'Service', plural: 'services', namespaced: true };
export const RESOURCE_QUOTA: ResourceKind = { apiVersion: 'v1', kind: 'ResourceQuota', plural: 'resourcequotas', namespaced: true };
export const LIMIT_RANGE: ResourceKind = { apiVersion: 'v1', kind: 'LimitRange', plural: 'limitranges', namespaced: true };
export const DEPLOYMENT: ResourceKind = { apiVersion: 'apps/v1', kind: 'Deployment', plural: 'deployments', namespaced: true };
export const HPA: ResourceKind = {
  apiVersion: 'autoscaling/v2',
  kind: 'HorizontalPodAutoscaler',
  plural: 'horizontalpodautoscalers',
  namespaced: true,
};
export const PDB: ResourceKind = { apiVersion: 'policy/v1', kind: 'PodDisruptionBudget', plural: 'poddisruptionbudgets', namespaced: true };
export const NETWORK_POLICY: ResourceKind = {
  apiVersion: 'networking.k8s.io/v1',
  kind: 'NetworkPolicy',
  plural: 'networkpolicies',
  namespaced: true,
};
export const LEASE: ResourceKind = { apiVersion: 'coordination.k8s.io/v1', kind: 'Lease', plural: 'leases', namespaced: true };

/** Every kind a Tenant owns, in the order they are applied (the namespace first). */
export const OWNED_KINDS: readonly ResourceKind[] = [
  NAMESPACE,
  SERVICE_ACCOUNT,
  CONFIG_MAP,
  SECRET,
  RESOURCE_QUOTA,
  LIMIT_RANGE,
  NETWORK_POLICY,
  DEPLOYMENT,
  SERVICE,
  HPA,
  PDB,
];

export const kindKey = (apiVersion: string, kind: string): string => `${apiVersion}/${kind}`;
