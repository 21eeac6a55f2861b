import type { Logger } from '@mindbot/logger';
import { tenantKey, type Redis } from '@mindbot/redis';

/**
 * Counts failed attempts (wrong activation codes) per user and per tenant in a fixed window; once
 * a count reaches its limit, attempts are refused until the window ends, correct code or not.
 * Redis keeps the counts shared across replicas; without it (single-node) they live in memory.
 */
export class FailureLimiter {
  private readonly memory = new Map<string, { count: number; until: number }>();

  constructor(
    private readonly redis: Redis | undefined,
    private readonly logger: Logger,
    private readonly options: { perUser: number; perTenant: number; windowSeconds: number; name: string },
  ) {}

  private keys(tenant: string, userId: string): [string, number][] {
    return [
      [tenantKey(tenant, this.options.name, 'user', userId), this.options.perUser],
      [tenantKey(tenant, this.options.name, 'all'), this.options.perTenant],
    ];
  }

  /** Seconds until attempts are allowed again; 0 when allowed now. */
  async retryAfter(tenant: string, userId: string): Promise<number> {
    let wait = 0;
    for (const [key, limit] of this.keys(tenant, userId)) {
      const { count, ttl } = await this.read(key);
      if (count >= limit) wait = Math.max(wait, Math.max(ttl, 1));
    }
    return wait;
  }

  async recordFailure(tenant: string, userId: string): Promise<void> {
    for (const [key] of this.keys(tenant, userId)) await this.increment(key);
  }

  private async read(key: string): Promise<{ count: number; ttl: number }> {
    if (this.redis) {
      try {
        const [[, count], [, ttl]] = (await this.redis.multi().get(key).ttl(key).exec()) as [[unknown, string | null], [unknown, number]];
        return { count: Number(count ?? 0), ttl };
      } catch (error) {
        this.logger.warn({ err: error }, 'redis unavailable for rate limiting; using this process only');
      }
    }
    const hit = this.memory.get(key);
    if (!hit || hit.until <= Date.now()) return { count: 0, ttl: 0 };
    return { count: hit.count, ttl: Math.ceil((hit.until - Date.now()) / 1000) };
  }

  private async increment(key: string): Promise<void> {
    if (this.redis) {
      try {
        await this.redis.multi().incr(key).expire(key, this.options.windowSeconds, 'NX').exec();
        return;
      } catch (error) {
        this.logger.warn({ err: error }, 'redis unavailable for rate limiting; using this process only');
      }
    }
    const hit = this.memory.get(key);
    if (!hit || hit.until <= Date.now()) this.memory.set(key, { count: 1, until: Date.now() + this.options.windowSeconds * 1000 });
    else hit.count++;
  }
}
