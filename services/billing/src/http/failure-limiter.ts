import type { Logger } from '@mindbot/logger';
import { countInWindows, tenantKey, uncountInWindows, type Redis, type WindowCount } from '@mindbot/redis';

/** Who makes an attempt: each counts separately, so neither a new account nor a new address escapes the limit. */
export interface AttemptScope {
  tenant: string;
  userId: string;
  /** The client address (`req.ip`: the gateway's `X-Forwarded-For` when TRUST_PROXY trusts the gateway). */
  ip: string;
}

export interface Attempt {
  /** Seconds until attempts are allowed again; 0 when this one may go ahead. */
  retryAfter: number;
  /** Which limit refused it. */
  limit?: 'user' | 'ip' | 'tenant';
  /** The attempt succeeded (or never really tried a code): it does not count as a failure. */
  release(): Promise<void>;
}

export interface FailureLimits {
  /** Key part naming what is limited, e.g. `activation-failures`. */
  name: string;
  perUser: number;
  /** null: not counted per IP (when `req.ip` is only ever the gateway's address, see app.ts). */
  perIp: number | null;
  perTenant: number;
  windowSeconds: number;
}

const ALLOWED: Attempt = { retryAfter: 0, release: () => Promise.resolve() };

/**
 * Limits failed attempts (wrong activation codes) per user, per client IP and per tenant, each in a
 * fixed window. Every attempt is counted before it is tried, so concurrent guesses cannot all slip
 * past the check; an attempt that succeeds is released and does not count. Once a count is past
 * its limit, attempts are refused (and not counted) until that window closes, right code or not.
 * Redis keeps the counts shared across replicas; when Redis cannot answer, the attempt is allowed
 * and a warning logged, as the SSO login limit does: activation stays up. Without Redis at all
 * (single-node), the counts live in this process, which is then the only one.
 */
export class FailureLimiter {
  private readonly memory = new Map<string, { count: number; until: number }>();

  constructor(
    private readonly redis: Redis | undefined,
    private readonly limits: FailureLimits,
  ) {}

  private keysOf(scope: AttemptScope): { key: string; limit: number; kind: 'user' | 'ip' | 'tenant' }[] {
    const { name, perIp } = this.limits;
    return [
      { key: tenantKey(scope.tenant, name, 'user', scope.userId), limit: this.limits.perUser, kind: 'user' as const },
      ...(perIp === null ? [] : [{ key: tenantKey(scope.tenant, name, 'ip', scope.ip), limit: perIp, kind: 'ip' as const }]),
      { key: tenantKey(scope.tenant, name, 'all'), limit: this.limits.perTenant, kind: 'tenant' as const },
    ];
  }

  /** Counts the attempt; `log` gets the warning when Redis cannot answer. */
  async begin(scope: AttemptScope, log: Logger): Promise<Attempt> {
    const limits = this.keysOf(scope);
    const keys = limits.map((l) => l.key);
    let counts: WindowCount[];
    try {
      counts = this.redis ? await countInWindows(this.redis, keys, this.limits.windowSeconds) : this.countInMemory(keys);
    } catch (error) {
      log.warn({ err: error }, 'activation failure limit unavailable; attempt allowed');
      return ALLOWED;
    }
    const release = () => this.uncount(keys, log);
    let refused: Attempt | undefined;
    limits.forEach((l, i) => {
      const count = counts[i];
      if (count && count.count > l.limit && (!refused || count.resetSeconds > refused.retryAfter))
        refused = { retryAfter: count.resetSeconds, limit: l.kind, release };
    });
    if (refused) {
      // A refused attempt tries no code: it must not lengthen anyone's lockout or use up the tenant's budget.
      await release();
      return refused;
    }
    return { retryAfter: 0, release };
  }

  private async uncount(keys: readonly string[], log: Logger): Promise<void> {
    if (!this.redis) {
      for (const key of keys) {
        const hit = this.memory.get(key);
        if (hit && hit.until > Date.now() && hit.count > 0) hit.count--;
      }
      return;
    }
    try {
      await uncountInWindows(this.redis, keys);
    } catch (error) {
      log.warn({ err: error }, 'activation failure limit unavailable; a successful attempt stays counted');
    }
  }

  private countInMemory(keys: readonly string[]): WindowCount[] {
    const now = Date.now();
    return keys.map((key) => {
      let hit = this.memory.get(key);
      if (!hit || hit.until <= now) {
        hit = { count: 0, until: now + this.limits.windowSeconds * 1000 };
        this.memory.set(key, hit);
      }
      hit.count++;
      return { count: hit.count, resetSeconds: Math.max(1, Math.ceil((hit.until - now) / 1000)) };
    });
  }
}
