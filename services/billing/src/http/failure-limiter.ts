import type { Logger } from '@mindbot/logger';
import { RateLimiter, type LimitRule } from '@mindbot/rate-limit';
import { tenantKey, type Redis } from '@mindbot/redis';

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

const NOTHING_TO_RELEASE = () => Promise.resolve();
const LIMIT_NAMES = ['user', 'ip', 'tenant'] as const;

/**
 * Limits failed attempts (wrong activation codes) per user, per client IP and per tenant, each in a
 * fixed window, with the platform's rate limiter (ADR 0053). Every attempt is counted before it is
 * tried, so concurrent guesses cannot all slip past the check; an attempt that succeeds is released
 * and does not count. Once a count is at its limit, attempts are refused (and not counted) until
 * that window closes, right code or not.
 */
export class FailureLimiter {
  private readonly limiter: RateLimiter;

  constructor(
    redis: Redis | undefined,
    logger: Logger,
    private readonly limits: FailureLimits,
  ) {
    this.limiter = new RateLimiter(redis, logger, { name: limits.name, window: 'fixed', windowMs: limits.windowSeconds * 1000 });
  }

  private rulesOf(scope: AttemptScope): LimitRule[] {
    const { name, perIp } = this.limits;
    return [
      { name: 'user', key: tenantKey(scope.tenant, name, 'user', scope.userId), limit: this.limits.perUser },
      ...(perIp === null ? [] : [{ name: 'ip', key: tenantKey(scope.tenant, name, 'ip', scope.ip), limit: perIp }]),
      { name: 'tenant', key: tenantKey(scope.tenant, name, 'all'), limit: this.limits.perTenant },
    ];
  }

  /** Counts the attempt; `log` gets the warning when a release cannot reach Redis. */
  async begin(scope: AttemptScope, log: Logger): Promise<Attempt> {
    const rules = this.rulesOf(scope);
    const decision = await this.limiter.take(rules);
    if (!decision.allowed) {
      const limit = LIMIT_NAMES.find((name) => name === decision.rule);
      return { retryAfter: decision.resetSeconds, limit, release: NOTHING_TO_RELEASE };
    }
    return { retryAfter: 0, release: () => this.limiter.giveBack(rules, decision, log) };
  }
}
