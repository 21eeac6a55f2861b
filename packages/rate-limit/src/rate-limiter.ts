import type { Redis } from 'ioredis';
import type { Logger } from '@mindbot/logger';
import { LocalHeadroom, type LocalHeadroomOptions } from './local-headroom.js';
import { LocalWindows } from './local-windows.js';
import { BatchedRedisWindows, giveBackInRedis } from './redis-windows.js';
import { countersOf, toResetSeconds, type LimitRule, type RateDecision, type WindowSpec } from './windows.js';

/**
 * What a limiter does while Redis does not answer. `local` (the default, and the platform's policy,
 * ADR 0053): the same windows in this process, so every replica enforces the full limits on its own.
 * `open`: allow everything. `closed`: refuse everything.
 */
export type RedisDownPolicy = 'local' | 'open' | 'closed';

export interface RateLimiterOptions {
  /** Names this limiter in its logs. */
  name: string;
  window: 'sliding' | 'fixed';
  windowMs: number;
  /** Whether a refused attempt counts too (default: no, refusals do not eat the budget). */
  countRefused?: boolean;
  /** Default `local`; an operator may choose otherwise (the gateway's RATE_LIMIT_WHEN_REDIS_DOWN). */
  whenRedisDown?: RedisDownPolicy;
  /**
   * Far from its limits, let this process decide from counts it reserved in Redis ahead
   * (`LocalHeadroom`: sliding windows only). Off by default: every attempt waits for Redis's verdict.
   */
  localHeadroom?: LocalHeadroomOptions;
}

/**
 * The platform's one rate limiter: every rule of an attempt checked and counted in Redis in one round
 * trip, shared with the other attempts of the same event-loop turn (one pipeline). While Redis does not answer (the shared client fails fast: no offline queue), the policy
 * decides; the switch is logged once each way, and every attempt tries Redis first, so recovery needs
 * nothing. Without Redis at all (single node) the counts live in this process, the only one.
 */
export class RateLimiter {
  private readonly window: WindowSpec;
  private readonly policy: RedisDownPolicy;
  private readonly local: LocalWindows;
  private readonly shared: BatchedRedisWindows | undefined;
  private readonly headroom: LocalHeadroom | undefined;
  private degraded = false;

  constructor(
    private readonly redis: Redis | undefined,
    private readonly logger: Logger,
    private readonly options: RateLimiterOptions,
  ) {
    this.window = { kind: options.window, ms: options.windowMs, countRefused: options.countRefused ?? false };
    this.policy = options.whenRedisDown ?? 'local';
    this.local = new LocalWindows(this.window);
    this.shared = redis ? new BatchedRedisWindows(redis, this.window) : undefined;
    this.headroom =
      redis && options.localHeadroom
        ? new LocalHeadroom(redis, this.window, options.localHeadroom, (error) => {
            // The attempts themselves report Redis's absence (and apply the policy) when they find no block.
            this.logger.debug({ err: error, limiter: this.options.name }, 'rate limiter: reserving counts ahead failed');
          })
        : undefined;
  }

  get usingFallback(): boolean {
    return this.degraded || !this.redis;
  }

  /** Counts one attempt against every rule (all of one tenant) and says whether it may go ahead. */
  async take(rules: readonly LimitRule[], now = Date.now()): Promise<RateDecision> {
    if (rules.length === 0) return { allowed: true, rule: 'none', limit: 0, remaining: 0, resetSeconds: 1, source: 'local', at: now };
    if (this.shared) {
      const decided = this.takeLocally(rules, now);
      if (decided) return decided;
      try {
        const verdict = await this.shared.take(rules, now);
        if (verdict.allowed) this.headroom?.reserve(rules, now);
        if (this.degraded) {
          this.degraded = false;
          this.logger.info({ limiter: this.options.name }, 'rate limiter: redis answers again; limits are shared again');
        }
        return { ...verdict, source: 'redis', at: now };
      } catch (error) {
        if (!this.degraded) {
          this.degraded = true;
          this.logger.warn(
            { err: error, limiter: this.options.name, policy: this.policy },
            'rate limiter: redis unreachable; applying the fallback policy',
          );
        }
      }
    }
    const policy = this.redis ? this.policy : 'local';
    if (policy === 'local') return { ...this.local.take(rules, now), source: 'local', at: now };
    const first = rules[0];
    const limit = first?.limit ?? 0;
    return {
      allowed: policy === 'open',
      rule: first?.name ?? 'none',
      limit,
      remaining: policy === 'open' ? limit : 0,
      resetSeconds: toResetSeconds(this.window.ms),
      source: policy,
      at: now,
    };
  }

  /**
   * What `take` would decide without waiting: an allowance from the counts this process reserved in
   * Redis ahead (`localHeadroom`), counted; else undefined, having counted nothing (call `take`).
   */
  takeLocally(rules: readonly LimitRule[], now = Date.now()): RateDecision | undefined {
    if (rules.length === 0 || !this.shared || this.degraded) return undefined;
    const decided = this.headroom?.tryTake(rules, now);
    return decided ? { ...decided, source: 'redis', at: now } : undefined;
  }

  /**
   * Takes back what `take` counted for an attempt that, as it turned out, does not count (a right
   * code). Never throws: when Redis cannot answer, the attempt stays counted and `log` says so.
   */
  async giveBack(rules: readonly LimitRule[], taken: RateDecision, log: Logger = this.logger, now = Date.now()): Promise<void> {
    if (!taken.allowed && !this.window.countRefused) return;
    if (taken.source === 'local') this.local.giveBack(rules, taken.at, now);
    if (taken.source !== 'redis' || !this.redis) return;
    try {
      const remaining = this.headroom ? this.headroom.forgive(rules, taken.at) : rules;
      await giveBackInRedis(this.redis, countersOf(remaining, this.window, taken.at));
    } catch (error) {
      log.warn({ err: error, limiter: this.options.name }, 'rate limiter: redis unreachable; an attempt given back stays counted');
    }
  }
}
