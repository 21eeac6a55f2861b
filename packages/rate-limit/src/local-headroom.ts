import type { Redis } from 'ioredis';
import { reserveInRedis } from './redis-windows.js';
import { toResetSeconds, type LimitRule, type Verdict, type WindowSpec } from './windows.js';

export interface LocalHeadroomOptions {
  /**
   * Reserve counts ahead only while a rule's estimate, the block included, stays within
   * `1 - share` of its limit; the last `share` of every limit is decided by Redis's script, attempt
   * by attempt. Between 0 and 1.
   */
  share: number;
  /** The largest block one process reserves for one rule (default 500). */
  maxBlock?: number;
}

interface Block {
  /** The window (number) whose counter holds the reserved counts. */
  window: number;
  /** Reserved counts not used yet. */
  units: number;
  /** The rule's estimate in Redis after the last reservation (used counts plus every process's reserved ones). */
  estimate: number;
}

/**
 * The limiter's short local pre-check: far from a limit, an attempt does not wait for Redis. The
 * process reserves a block of counts of each rule in Redis ahead (a few percent of the limit, only
 * while the rule has used less than `1 - share` of it) and allows attempts from those blocks in
 * memory, reserving the next block in the background when half is used. Everything allowed here was
 * counted in Redis before, in the same window's counter, so Redis's script, which decides every
 * attempt once a block is missing and alone decides the last `share` of each limit, sees every
 * replica's counts: a limit is never passed. What it can cost is the other way: counts another
 * replica reserved and has not used yet count as used, so near a limit an attempt may be refused up
 * to (replicas × block) counts early, until the window moves on. Sliding windows only.
 */
export class LocalHeadroom {
  private readonly blocks = new Map<string, Block>();
  private readonly reserving = new Set<string>();
  /** When Redis last refused a block of a rule (its cap was reached): not asked again for a second. */
  private readonly refusedAt = new Map<string, number>();

  constructor(
    private readonly redis: Redis,
    private readonly window: WindowSpec,
    private readonly options: LocalHeadroomOptions,
    private readonly onError: (error: Error) => void,
  ) {
    if (window.kind !== 'sliding') throw new Error('a local pre-check needs sliding windows');
    if (!(options.share > 0 && options.share < 1)) throw new Error('the local pre-check share must be between 0 and 1');
  }

  /** Allowed from this process's reserved blocks; undefined when Redis must decide. */
  tryTake(rules: readonly LimitRule[], now: number): Verdict | undefined {
    const window = Math.floor(now / this.window.ms);
    let deciding: { rule: LimitRule; remaining: number } | undefined;
    for (const rule of rules) {
      const block = this.blocks.get(rule.key);
      if (!block || block.window !== window || block.units < 1) return undefined;
      // Used here and elsewhere, without the counts this process still holds.
      const remaining = rule.limit - (block.estimate - block.units + 1);
      if (!deciding || remaining < deciding.remaining) deciding = { rule, remaining };
    }
    if (!deciding) return undefined;
    for (const rule of rules) {
      const block = this.blocks.get(rule.key);
      if (block) block.units -= 1;
    }
    this.reserve(rules, now);
    return {
      allowed: true,
      rule: deciding.rule.name,
      limit: deciding.rule.limit,
      remaining: Math.max(0, deciding.remaining),
      resetSeconds: toResetSeconds(this.window.ms - (now % this.window.ms)),
    };
  }

  /**
   * Reserves, in the background, the next block of each rule whose block is missing or half used.
   * Called after every attempt Redis allowed, and from the blocks as they are used.
   */
  reserve(rules: readonly LimitRule[], now: number): void {
    const window = Math.floor(now / this.window.ms);
    for (const rule of rules) {
      const cap = rule.limit * (1 - this.options.share);
      const size = Math.min(this.options.maxBlock ?? 500, Math.floor(cap / 8));
      if (size < 1 || this.reserving.has(rule.key)) continue;
      const refused = this.refusedAt.get(rule.key);
      if (refused !== undefined && now - refused < 1_000) continue;
      const block = this.blocks.get(rule.key);
      if (block && block.window === window && block.units * 2 >= size) continue;
      this.reserving.add(rule.key);
      reserveInRedis(this.redis, rule.key, this.window, now, size, cap).then(
        ({ granted, estimate }) => {
          this.reserving.delete(rule.key);
          if (granted <= 0) {
            if (this.refusedAt.size >= 50_000) this.refusedAt.clear();
            this.refusedAt.set(rule.key, now);
            return;
          }
          this.refusedAt.delete(rule.key);
          const current = this.blocks.get(rule.key);
          // Counts left in an earlier window's block stay counted there (at most one block), unused.
          if (current?.window === window) {
            current.units += granted;
            current.estimate = Math.max(current.estimate, estimate);
          } else {
            if (this.blocks.size >= 50_000) this.blocks.clear();
            this.blocks.set(rule.key, { window, units: granted, estimate });
          }
        },
        (error: unknown) => {
          this.reserving.delete(rule.key);
          this.onError(error instanceof Error ? error : new Error(String(error)));
        },
      );
    }
  }

  /**
   * Takes back one count per counter into this process's block of it, when it has one for that
   * window (counts in one counter are alike, whoever decided them); answers the counters it has none for.
   */
  forgive(rules: readonly LimitRule[], at: number): LimitRule[] {
    const window = Math.floor(at / this.window.ms);
    return rules.filter((rule) => {
      const block = this.blocks.get(rule.key);
      if (!block || block.window !== window) return true;
      block.units += 1;
      return false;
    });
  }
}
