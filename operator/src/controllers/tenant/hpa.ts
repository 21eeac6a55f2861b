import type { KubeObject } from '../../runtime/kube-client.js';
import { AGENT_NAME, ownedMeta, type TenantContext } from './context.js';

/** Scales the agent between the tenant's bounds; absent for a suspended tenant (which runs none). */
export function desiredHpa(ctx: TenantContext): KubeObject | undefined {
  const { agent, suspended } = ctx.tenant.spec;
  if (suspended) return undefined;
  return {
    apiVersion: 'autoscaling/v2',
    kind: 'HorizontalPodAutoscaler',
    metadata: ownedMeta(ctx, AGENT_NAME),
    spec: {
      scaleTargetRef: { apiVersion: 'apps/v1', kind: 'Deployment', name: AGENT_NAME },
      // An HPA cannot scale to zero; minReplicas 0 means "as few as one" while not suspended.
      minReplicas: Math.max(1, agent.minReplicas),
      maxReplicas: agent.maxReplicas,
      metrics: [{ type: 'Resource', resource: { name: 'cpu', target: { type: 'Utilization', averageUtilization: 70 } } }],
    },
  };
}
