import { withAppliedHash } from '../../runtime/apply.js';
import type { KubeObject } from '../../runtime/kube-client.js';
import { desiredBrandingConfigMap } from './config-map.js';
import type { TenantContext } from './context.js';
import { desiredDeployment } from './deployment.js';
import { desiredHpa } from './hpa.js';
import { desiredLivekitSecret } from './livekit-secret.js';
import { desiredNamespace } from './namespace.js';
import { desiredAgentPolicy, desiredDefaultDeny } from './network-policy.js';
import { desiredPdb } from './pdb.js';
import { desiredLimitRange, desiredResourceQuota } from './resource-quota.js';
import { desiredService } from './service.js';
import { desiredServiceAccount } from './service-account.js';

/** Every object the tenant should own in this cluster, in apply order, each with its applied-hash. */
export function desiredObjects(ctx: TenantContext): KubeObject[] {
  return [
    desiredNamespace(ctx),
    desiredServiceAccount(ctx),
    desiredResourceQuota(ctx),
    desiredLimitRange(ctx),
    desiredDefaultDeny(ctx),
    desiredAgentPolicy(ctx),
    desiredBrandingConfigMap(ctx),
    desiredLivekitSecret(ctx),
    desiredDeployment(ctx),
    desiredService(ctx),
    desiredHpa(ctx),
    desiredPdb(ctx),
  ]
    .filter((object): object is KubeObject => object !== undefined)
    .map(withAppliedHash);
}
