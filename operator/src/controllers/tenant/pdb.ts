import type { KubeObject } from '../../runtime/kube-client.js';
import { AGENT_NAME, agentSelector, ownedMeta, type TenantContext } from './context.js';

/** Voluntary disruptions (node drains) take one agent at a time, never blocking a drain outright. */
export function desiredPdb(ctx: TenantContext): KubeObject {
  return {
    apiVersion: 'policy/v1',
    kind: 'PodDisruptionBudget',
    metadata: ownedMeta(ctx, AGENT_NAME),
    spec: { maxUnavailable: 1, selector: { matchLabels: agentSelector(ctx.slug) } },
  };
}
