import type { KubeObject } from '../../runtime/kube-client.js';
import { ownedMeta, type TenantContext } from './context.js';

export const LIVEKIT_SECRET = 'agent-livekit';
/** The keys the referenced Secret must hold. */
export const LIVEKIT_KEYS = ['LIVEKIT_URL', 'LIVEKIT_API_KEY', 'LIVEKIT_API_SECRET'] as const;

/** The referenced LiveKit credentials, copied into the tenant's namespace (a pod can only read its own namespace's Secrets). */
export function desiredLivekitSecret(ctx: TenantContext): KubeObject {
  return {
    apiVersion: 'v1',
    kind: 'Secret',
    metadata: ownedMeta(ctx, LIVEKIT_SECRET),
    type: 'Opaque',
    data: Object.fromEntries(LIVEKIT_KEYS.map((key) => [key, ctx.livekit[key] ?? ''])),
  };
}
