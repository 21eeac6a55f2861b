import type { KubeObject } from '../../runtime/kube-client.js';
import { AGENT_NAME, agentSelector, ownedMeta, type TenantContext } from './context.js';

/** The agent's in-cluster address (health and dispatch callbacks); never exposed outside. */
export function desiredService(ctx: TenantContext): KubeObject {
  return {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: ownedMeta(ctx, AGENT_NAME),
    spec: {
      type: 'ClusterIP',
      selector: agentSelector(ctx.slug),
      ports: [{ name: 'http', port: 80, targetPort: 'http', protocol: 'TCP' }],
    },
  };
}
