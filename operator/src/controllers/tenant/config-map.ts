import type { KubeObject } from '../../runtime/kube-client.js';
import { ownedMeta, type TenantContext } from './context.js';

export const BRANDING_CONFIG_MAP = 'agent-branding';

/** Branding and persona, mounted read-only into the agent. */
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
