import type { KubeObject } from '../../runtime/kube-client.js';
import { ownedMeta, type TenantContext } from './context.js';

export const BRANDING_CONFIG_MAP = 'agent-branding';

/**
 * The tenant's branding and persona as the operator last applied them, readable in its namespace.
 * The worker does not read it: it loads the persona per call from the platform, so a change reaches
 * the next call without rolling any pod.
 */
export function desiredBrandingConfigMap(ctx: TenantContext): KubeObject {
  const { spec } = ctx.tenant;
  const tenant = {
    slug: ctx.slug,
    displayName: spec.displayName,
    region: spec.region,
    branding: spec.branding,
    agent: { voice: spec.agent.voice, language: spec.agent.language, agentName: spec.branding.agentName, greeting: spec.branding.greeting },
    domains: spec.domains,
  };
  return {
    apiVersion: 'v1',
    kind: 'ConfigMap',
    metadata: ownedMeta(ctx, BRANDING_CONFIG_MAP),
    data: { 'tenant.json': `${JSON.stringify(tenant, null, 2)}\n`, 'persona.txt': spec.agent.persona },
  };
}
