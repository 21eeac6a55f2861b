/** One limit an attempt counts against: a Redis key (under the tenant's hash tag, see `tenantKey`) and a per-window maximum. */
export interface LimitRule {
  /** Names the limit in logs and answers, e.g. tenant | principal | ip | user. */
  name: string;
  key: string;
  limit: number;
}

/**
 * How attempts are counted. `sliding`: the previous window's count, weighted by how much of it still
 * overlaps, plus the current window's, in windows aligned to the clock (keys `<key>:<window number>`).
 * `fixed`: one counter per key (the key itself) whose window opens with its first count.
 */
export interface WindowSpec {
  kind: 'sliding' | 'fixed';
  ms: number;
  /**
   * Whether a refused attempt counts too. Off: nothing is counted unless every rule allows the
   * attempt, so refusals do not eat the budget. On: every attempt counts against every rule.
   */
  countRefused: boolean;
}

/** The outcome of one attempt against all its rules. */
export interface Verdict {
  allowed: boolean;
  /** The deciding rule: the refusing one whose window ends last, or, when allowed, the one with least room left. */
  rule: string;
  limit: number;
  remaining: number;
  /** Seconds until the deciding rule's window ends; what a 429's Retry-After should say. */
  resetSeconds: number;
}

export interface RateDecision extends Verdict {
  /** Where the decision was made: in Redis, in this process's fallback, or by the open/closed policy. */
  source: 'redis' | 'local' | 'open' | 'closed';
  /** The time (ms) it was counted at, so that `giveBack` finds the same windows. */
  at: number;
}

/** Milliseconds to what a header says: whole seconds, never 0 (a client would retry at once). */
export const toResetSeconds = (ms: number): number => Math.max(1, Math.ceil(ms / 1000));

/** The counters an attempt counted at `at` was added to. */
export function countersOf(rules: readonly LimitRule[], window: WindowSpec, at: number): string[] {
  const current = Math.floor(at / window.ms);
  return rules.map((r) => (window.kind === 'sliding' ? `${r.key}:${current}` : r.key));
}
