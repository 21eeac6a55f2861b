import type { Redis } from '@mindbot/redis';
import { tenantKey } from '@mindbot/redis';
import { AppError } from '@mindbot/errors';

/**
 * Short-lived login state (OIDC transactions, SAML request ids, replay marks), always per tenant.
 * Redis when configured (shared by every replica); a process-local map in single-node mode.
 */
export interface EphemeralStore {
  /** Stores `value` under the key for `ttlSeconds`. */
  put(tenant: string, key: readonly string[], value: string, ttlSeconds: number): Promise<void>;
  /** Reads and deletes in one step: a value can be taken once. */
  take(tenant: string, key: readonly string[]): Promise<string | undefined>;
  get(tenant: string, key: readonly string[]): Promise<string | undefined>;
  /** Marks the key for `ttlSeconds`; false when it was already marked (a replay). */
  markOnce(tenant: string, key: readonly string[], ttlSeconds: number): Promise<boolean>;
}

/**
 * Sign-in cannot go on without its state (unlike rate limits, which fail open): Redis being away is
 * a 503 that tells the user to retry, not an opaque 500.
 */
async function orUnavailable<T>(operation: () => Promise<T>): Promise<T> {
  try {
    return await operation();
  } catch (error) {
    throw new AppError('unavailable', 'Sign-in is unavailable right now; try again in a moment.', {
      headers: { 'Retry-After': '5' },
      cause: error,
    });
  }
}

export function redisEphemeralStore(redis: Redis): EphemeralStore {
  return {
    async put(tenant, key, value, ttlSeconds) {
      await orUnavailable(() => redis.set(tenantKey(tenant, 'sso', ...key), value, 'EX', ttlSeconds));
    },
    async take(tenant, key) {
      return (await orUnavailable(() => redis.getdel(tenantKey(tenant, 'sso', ...key)))) ?? undefined;
    },
    async get(tenant, key) {
      return (await orUnavailable(() => redis.get(tenantKey(tenant, 'sso', ...key)))) ?? undefined;
    },
    async markOnce(tenant, key, ttlSeconds) {
      return (await orUnavailable(() => redis.set(tenantKey(tenant, 'sso', ...key), '1', 'EX', ttlSeconds, 'NX'))) === 'OK';
    },
  };
}

export function memoryEphemeralStore(now: () => number = Date.now): EphemeralStore {
  const entries = new Map<string, { value: string; expiresAt: number }>();
  const keyOf = (tenant: string, key: readonly string[]) => tenantKey(tenant, 'sso', ...key);
  const live = (k: string) => {
    const entry = entries.get(k);
    if (entry && entry.expiresAt <= now()) {
      entries.delete(k);
      return undefined;
    }
    return entry;
  };
  const sweep = () => {
    if (entries.size < 10_000) return;
    for (const k of [...entries.keys()]) live(k);
  };
  return {
    put(tenant, key, value, ttlSeconds) {
      sweep();
      entries.set(keyOf(tenant, key), { value, expiresAt: now() + ttlSeconds * 1000 });
      return Promise.resolve();
    },
    take(tenant, key) {
      const k = keyOf(tenant, key);
      const entry = live(k);
      entries.delete(k);
      return Promise.resolve(entry?.value);
    },
    get(tenant, key) {
      return Promise.resolve(live(keyOf(tenant, key))?.value);
    },
    markOnce(tenant, key, ttlSeconds) {
      const k = keyOf(tenant, key);
      if (live(k)) return Promise.resolve(false);
      sweep();
      entries.set(k, { value: '1', expiresAt: now() + ttlSeconds * 1000 });
      return Promise.resolve(true);
    },
  };
}
