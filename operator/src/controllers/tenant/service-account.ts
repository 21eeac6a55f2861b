import type { KubeObject } from '../../runtime/kube-client.js';
import { AGENT_NAME, ownedMeta, type TenantContext } from './context.js';

/** The agent's identity; it needs no Kubernetes API access, so no token is mounted. */
export function desiredServiceAccount(ctx: TenantContext): KubeObject {
  return { apiVersion: 'v1', kind: 'ServiceAccount', metadata: ownedMeta(ctx, AGENT_NAME), automountServiceAccountToken: false };
}
