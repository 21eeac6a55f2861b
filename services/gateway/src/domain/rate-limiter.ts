import { createHash } from 'node:crypto';
import type { Logger } from '@mindbot/logger';
import type { Redis } from '@mindbot/redis';
import { tenantKey } from '@mindbot/redis';

/** One limit a request counts against: a Redis key (under the tenant's hash tag) and a per-window maximum. */
export interface LimitRule {
  /** Names the limit in logs and in the RateLimit-Policy header: tenant | principal | ip. */
  name: string;
  key: string;
  limit: number;
}

export interface RateDecision {
  allowed: boolean;
  /** The most constraining rule (the one that refused, or the one with least room left). */
  rule: string;
  limit: number;
  remaining: number;
  /** Seconds until the current window ends. */
  resetSeconds: number;
  /** Where the decision was made. */
  source: 'redis' | 'local' | 'open' | 'closed';
}

/**
 * Sliding-window counters (the previous window's count, weighted by how much of it still overlaps,
 * plus the current one), for every rule at once, in one EVALSHA: nothing is counted unless every
 * rule allows the request, so refused requests do not eat the budget.
 * KEYS: the rules' base keys. ARGV: window ms, now ms, then one limit per key.
 * Returns: allowed (1/0), index of the deciding rule (1-based), remaining, ms until the window ends.
 */
const SLIDING_WINDOW_LUA = `
local window = tonumber(ARGV[1])
local now = tonumber(ARGV[2])
local current = math.floor(now / window)
local elapsed = (now % window) / window
local reset = window - (now % window)
local estimates = {}
for i = 1, #KEYS do
  local cur = tonumber(redis.call('GET', KEYS[i] .. ':' .. current) or '0')
  local prev = tonumber(redis.call('GET', KEYS[i] .. ':' .. (current - 1)) or '0')
  estimates[i] = math.floor(prev * (1 - elapsed)) + cur
  if estimates[i] >= tonumber(ARGV[i + 2]) then
    return {0, i, 0, reset}
  end
end
local best = 1
local bestRemaining = nil
for i = 1, #KEYS do
  local key = KEYS[i] .. ':' .. current
  local count = redis.call('INCR', key)
  if count == 1 then redis.call('PEXPIRE', key, window * 2) end
  local remaining = tonumber(ARGV[i + 2]) - (estimates[i] + 1)
  if bestRemaining == nil or remaining < bestRemaining then
    bestRemaining = remaining
    best = i
  end
end
return {1, best, bestRemaining, reset}
`;
const SCRIPT_SHA = createHash('sha1').update(SLIDING_WINDOW_LUA).digest('hex');

/** The same sliding window in process memory: the fallback while Redis is away. */
class LocalWindows {
  private readonly counts = new Map<string, number>();
  private sweptWindow = -1;

  decide(rules: readonly LimitRule[], windowMs: number, now: number): Omit<RateDecision, 'source'> {
    const current = Math.floor(now / windowMs);
    const elapsed = (now % windowMs) / windowMs;
    const resetSeconds = Math.ceil((windowMs - (now % windowMs)) / 1000);
    if (current !== this.sweptWindow) {
      for (const key of this.counts.keys()) if (!key.endsWith(`:${current}`) && !key.endsWith(`:${current - 1}`)) this.counts.delete(key);
      this.sweptWindow = current;
    }
    const estimates = rules.map(
      (r) => Math.floor((this.counts.get(`${r.key}:${current - 1}`) ?? 0) * (1 - elapsed)) + (this.counts.get(`${r.key}:${current}`) ?? 0),
    );
    for (const [i, rule] of rules.entries()) {
      if ((estimates[i] ?? 0) >= rule.limit) return { allowed: false, rule: rule.name, limit: rule.limit, remaining: 0, resetSeconds };
    }
    let best: Omit<RateDecision, 'source'> | undefined;
    for (const [i, rule] of rules.entries()) {
      const key = `${rule.key}:${current}`;
      this.counts.set(key, (this.counts.get(key) ?? 0) + 1);
      const remaining = rule.limit - ((estimates[i] ?? 0) + 1);
      if (!best || remaining < best.remaining) best = { allowed: true, rule: rule.name, limit: rule.limit, remaining, resetSeconds };
    }
    return best ?? { allowed: true, rule: 'none', limit: 0, remaining: 0, resetSeconds };
  }
}

export type RedisDownPolicy = 'local' | 'open' | 'closed';

/**
 * Rate limits in Redis, one round trip per request. While Redis does not answer (the client fails
 * fast: no offline queue), the policy decides: per-process limits (default), allow, or refuse. The
 * switch is logged once each way, and every request tries Redis first, so recovery needs nothing.
 */
export class RateLimiter {
  private readonly local = new LocalWindows();
  private degraded = false;

  constructor(
    private readonly redis: Redis | undefined,
    private readonly logger: Logger,
    private readonly options: { windowMs: number; whenRedisDown: RedisDownPolicy },
  ) {}

  get usingFallback(): boolean {
    return this.degraded || !this.redis;
  }

  async decide(rules: readonly LimitRule[], now = Date.now()): Promise<RateDecision> {
    if (this.redis) {
      try {
        const decision = await this.decideInRedis(this.redis, rules, now);
        if (this.degraded) {
          this.degraded = false;
          this.logger.info('rate limiter: redis answers again; limits are shared again');
        }
        return decision;
      } catch (error) {
        if (!this.degraded) {
          this.degraded = true;
          this.logger.warn(
            { err: error, policy: this.options.whenRedisDown },
            'rate limiter: redis unreachable; applying the fallback policy',
          );
        }
      }
    }
    const policy = this.redis ? this.options.whenRedisDown : 'local';
    const resetSeconds = Math.ceil(this.options.windowMs / 1000);
    const first = rules[0];
    if (policy === 'open')
      return {
        allowed: true,
        rule: first?.name ?? 'none',
        limit: first?.limit ?? 0,
        remaining: first?.limit ?? 0,
        resetSeconds,
        source: 'open',
      };
    if (policy === 'closed')
      return { allowed: false, rule: first?.name ?? 'none', limit: first?.limit ?? 0, remaining: 0, resetSeconds, source: 'closed' };
    return { ...this.local.decide(rules, this.options.windowMs, now), source: 'local' };
  }

  private async decideInRedis(redis: Redis, rules: readonly LimitRule[], now: number): Promise<RateDecision> {
    const keys = rules.map((r) => r.key);
    const args = [String(this.options.windowMs), String(now), ...rules.map((r) => String(r.limit))];
    let reply: unknown;
    try {
      reply = await redis.evalsha(SCRIPT_SHA, keys.length, ...keys, ...args);
    } catch (error) {
      if (!(error instanceof Error) || !error.message.includes('NOSCRIPT')) throw error;
      reply = await redis.eval(SLIDING_WINDOW_LUA, keys.length, ...keys, ...args);
    }
    if (!Array.isArray(reply) || reply.length !== 4) throw new Error('unexpected rate limit script reply');
    const [allowed, index, remaining, resetMs] = reply.map(Number) as [number, number, number, number];
    const rule = rules[index - 1];
    return {
      allowed: allowed === 1,
      rule: rule?.name ?? 'none',
      limit: rule?.limit ?? 0,
      remaining: Math.max(0, remaining),
      resetSeconds: Math.max(1, Math.ceil(resetMs / 1000)),
      source: 'redis',
    };
  }
}

/** The rules of one request: the tenant's plan, shared between its principals and client IPs. */
export function rulesFor(
  tenant: string,
  requestsPerMinute: number,
  who: { principal?: string | undefined; ip: string },
  shares: { principal: number; ip: number },
): LimitRule[] {
  const rules: LimitRule[] = [{ name: 'tenant', key: tenantKey(tenant, 'rl', 'tenant'), limit: requestsPerMinute }];
  if (who.principal)
    rules.push({
      name: 'principal',
      key: tenantKey(tenant, 'rl', 'p', who.principal),
      limit: Math.max(1, Math.ceil(requestsPerMinute * shares.principal)),
    });
  // IPv6 addresses contain ':' — harmless inside a key, but keep keys printable and bounded.
  rules.push({
    name: 'ip',
    key: tenantKey(tenant, 'rl', 'ip', who.ip.replace(/[^0-9a-fA-F.:]/g, '_').slice(0, 64)),
    limit: Math.max(1, Math.ceil(requestsPerMinute * shares.ip)),
  });
  return rules;
}
