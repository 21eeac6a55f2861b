import type { KubeObject } from '../../runtime/kube-client.js';
import { ownedMeta, type TenantContext } from './context.js';

/** The tenant's copy of the Redis URL the agents report their readiness with. */
export const REDIS_SECRET = 'agent-redis';
export const REDIS_KEY = 'REDIS_URL';

/**
 * Where the agents report whether they can take calls (the gateway refuses a voice session that no
 * ready worker could answer). Meant for a Redis user limited to the agents' keys (`agents:*`): it is
 * copied into every tenant namespace.
 */
export interface AgentRedis {
  secret: { namespace: string; name: string };
  /** The key of the URL in that Secret. */
  key: string;
  /** Where the agents may reach Redis (on the URL's port). */
  cidr: string;
}

/** REDIS_URL from the tenant copy; none when the operator names no agent Redis Secret. */
export function redisEnv(ctx: TenantContext) {
  if (ctx.config.agentRedis === undefined) return [];
  return [{ name: REDIS_KEY, valueFrom: { secretKeyRef: { name: REDIS_SECRET, key: REDIS_KEY } } }];
}

export function desiredRedisSecret(ctx: TenantContext): KubeObject | undefined {
  if (ctx.config.agentRedis === undefined) return undefined;
  return { apiVersion: 'v1', kind: 'Secret', metadata: ownedMeta(ctx, REDIS_SECRET), type: 'Opaque', data: { ...ctx.redis } };
}

/** The URL's port (6379 when it names none), from the Secret data (base64), once it is known to be a redis URL. */
export function redisPort(data: Record<string, string>): number | undefined {
  const encoded = data[REDIS_KEY];
  if (encoded === undefined) return undefined;
  const url = redisUrl(Buffer.from(encoded, 'base64').toString());
  return url === undefined ? undefined : url.port === '' ? 6379 : Number(url.port);
}

/** A redis:// or rediss:// URL, as the worker accepts it; undefined otherwise. */
export function redisUrl(text: string): URL | undefined {
  try {
    const url = new URL(text);
    return url.protocol === 'redis:' || url.protocol === 'rediss:' ? url : undefined;
  } catch {
    return undefined;
  }
}
