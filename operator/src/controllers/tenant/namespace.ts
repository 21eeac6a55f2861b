import type { KubeObject } from '../../runtime/kube-client.js';
import { ownedMeta, type TenantContext } from './context.js';

/** The tenant's namespace, held to the Pod Security `restricted` profile. */
export function desiredNamespace(ctx: TenantContext): KubeObject {
  return {
    apiVersion: 'v1',
    kind: 'Namespace',
    metadata: ownedMeta(ctx, ctx.namespace, {
      namespaced: false,
      labels: {
        'pod-security.kubernetes.io/enforce': 'restricted',
        'pod-security.kubernetes.io/enforce-version': 'latest',
        'pod-security.kubernetes.io/audit': 'restricted',
        'pod-security.kubernetes.io/warn': 'restricted',
      },
    }),
  };
}
