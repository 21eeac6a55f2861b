import type { KubeObject } from '../../runtime/kube-client.js';
import { AGENT_NAME, agentSelector, ownedMeta, type TenantContext } from './context.js';

/**
 * Voluntary disruptions (node drains) take one agent at a time, never blocking a drain outright: an
 * agent that is not ready (e.g. one reporting a missing provider on /readyz) may always be evicted.
 */
export function desiredPdb(ctx: TenantContext): KubeObject {
  return {
    apiVersion: 'policy/v1',
    kind: 'PodDisruptionBudget',
    metadata: ownedMeta(ctx, AGENT_NAME),
    spec: { maxUnavailable: 1, unhealthyPodEvictionPolicy: 'AlwaysAllow', selector: { matchLabels: agentSelector(ctx.slug) } },
  };
}
