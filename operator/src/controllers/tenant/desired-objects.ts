import { withAppliedHash } from '../../runtime/apply.js';
import type { KubeObject } from '../../runtime/kube-client.js';
import { desiredProviderSecret } from './agent-providers.js';
import { desiredRedisSecret } from './agent-redis.js';
import { desiredBrandingConfigMap } from './config-map.js';
import { hasDedicatedAgent, type TenantContext } from './context.js';
import { desiredDeployment } from './deployment.js';
import { desiredHpa } from './hpa.js';
import { desiredLivekitSecret } from './livekit-secret.js';
import { desiredNamespace } from './namespace.js';
import { desiredAgentPolicy, desiredDefaultDeny } from './network-policy.js';
import { desiredPdb } from './pdb.js';
import { desiredLimitRange, desiredResourceQuota } from './resource-quota.js';
import { desiredService } from './service.js';
import { desiredServiceAccount } from './service-account.js';

/**
 * Every object the tenant should own in this cluster, in apply order, each with its applied-hash.
 * A tenant served by the region's shared agent pool gets its namespace and guard rails but no agent
 * of its own (nor the credentials one would need): what an earlier plan made is pruned.
 */
export function desiredObjects(ctx: TenantContext): KubeObject[] {
  const agent = hasDedicatedAgent(ctx.tenant)
    ? [
        desiredLivekitSecret(ctx),
        desiredProviderSecret(ctx),
        desiredRedisSecret(ctx),
        desiredDeployment(ctx),
        desiredService(ctx),
        desiredHpa(ctx),
        desiredPdb(ctx),
      ]
    : [];
  return [
    desiredNamespace(ctx),
    desiredServiceAccount(ctx),
    desiredResourceQuota(ctx),
    desiredLimitRange(ctx),
    desiredDefaultDeny(ctx),
    desiredAgentPolicy(ctx),
    desiredBrandingConfigMap(ctx),
    ...agent,
  ]
    .filter((object): object is KubeObject => object !== undefined)
    .map(withAppliedHash);
}
