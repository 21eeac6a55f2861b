import { countersOf, toResetSeconds, type LimitRule, type Verdict, type WindowSpec } from './windows.js';

interface Counter {
  count: number;
  expiresAt: number;
}

/** The Redis script's windows in this process's memory: the fallback while Redis is away, and the store when there is none. */
export class LocalWindows {
  private readonly counters = new Map<string, Counter>();
  private nextSweep = 0;

  constructor(private readonly window: WindowSpec) {}

  take(rules: readonly LimitRule[], now: number): Verdict {
    this.sweep(now);
    const { ms, kind, countRefused } = this.window;
    const current = Math.floor(now / ms);
    const views = rules.map((rule) => {
      if (kind === 'sliding') {
        const counter = `${rule.key}:${current}`;
        const previous = this.live(`${rule.key}:${current - 1}`, now)?.count ?? 0;
        const estimate = Math.floor(previous * (1 - (now % ms) / ms)) + (this.live(counter, now)?.count ?? 0);
        return { rule, counter, estimate, resetMs: ms - (now % ms), expiresAt: (current + 2) * ms };
      }
      const open = this.live(rule.key, now);
      return {
        rule,
        counter: rule.key,
        estimate: open?.count ?? 0,
        resetMs: open ? open.expiresAt - now : ms,
        expiresAt: open?.expiresAt ?? now + ms,
      };
    });
    let refused: (typeof views)[number] | undefined;
    for (const view of views) if (view.estimate >= view.rule.limit && (!refused || view.resetMs > refused.resetMs)) refused = view;
    const refusal = (view: (typeof views)[number]): Verdict => ({
      allowed: false,
      rule: view.rule.name,
      limit: view.rule.limit,
      remaining: 0,
      resetSeconds: toResetSeconds(view.resetMs),
    });
    if (refused && !countRefused) return refusal(refused);
    let best: Verdict | undefined;
    for (const view of views) {
      const counter = this.live(view.counter, now);
      if (counter) counter.count++;
      else this.counters.set(view.counter, { count: 1, expiresAt: view.expiresAt });
      const remaining = view.rule.limit - (view.estimate + 1);
      if (!best || remaining < best.remaining)
        best = { allowed: true, rule: view.rule.name, limit: view.rule.limit, remaining, resetSeconds: toResetSeconds(view.resetMs) };
    }
    if (refused) return refusal(refused);
    return best ?? { allowed: true, rule: 'none', limit: 0, remaining: 0, resetSeconds: toResetSeconds(ms) };
  }

  giveBack(rules: readonly LimitRule[], at: number, now: number): void {
    for (const key of countersOf(rules, this.window, at)) {
      const counter = this.live(key, now);
      if (counter && counter.count > 0) counter.count--;
    }
  }

  private live(key: string, now: number): Counter | undefined {
    const counter = this.counters.get(key);
    return counter && counter.expiresAt > now ? counter : undefined;
  }

  // Once a window, so memory holds no more than two windows' worth of keys.
  private sweep(now: number): void {
    if (now < this.nextSweep) return;
    for (const [key, counter] of this.counters) if (counter.expiresAt <= now) this.counters.delete(key);
    this.nextSweep = now + this.window.ms;
  }
}
