import type { Logger } from '@mindbot/logger';
import { publishRevokedSessions, type Redis, type RevokedSessionList, type SessionRevocation } from '@mindbot/redis';

const PUBLISH_TIMEOUT_MS = 1_000;
const RETRY_MIN_MS = 500;
const RETRY_MAX_MS = 30_000;
/**
 * How long past the access-token lifetime a revocation stays listed: covers the verifiers' clock
 * tolerance (5 s) and a refresh that was issuing a token while the revocation committed.
 */
export const REVOCATION_MARGIN_SECONDS = 60;

/**
 * Tells every service that sessions have ended, so their access tokens are refused at once
 * (docs/adr/0013-session-revocation-list.md): listed in this process straight away, then in Redis
 * (the shared list and its channel). Call it after the revocation has committed in Postgres. When
 * Redis refuses, the publish is retried in the background (backoff up to 30 s) until it succeeds or
 * the tokens it covers have expired; the caller's answer is not held up.
 */
export class SessionRevocations {
  private readonly pending = new Map<string, number>();
  private retryTimer: NodeJS.Timeout | undefined;
  private retryDelayMs = RETRY_MIN_MS;

  constructor(
    private readonly redis: Redis | undefined,
    private readonly local: RevokedSessionList,
    private readonly logger: Logger,
    /** The access-token lifetime: no token of a session ended now can outlive it. */
    private readonly accessTokenTtlSeconds: number,
    private readonly now: () => number = Date.now,
  ) {}

  async announce(sessionIds: readonly string[]): Promise<void> {
    if (sessionIds.length === 0) return;
    const until = this.now() + (this.accessTokenTtlSeconds + REVOCATION_MARGIN_SECONDS) * 1000;
    const revocations = sessionIds.map((sessionId) => ({ sessionId, until }));
    this.local.add(revocations);
    if (!this.redis) return;
    try {
      await this.publish(this.redis, revocations);
    } catch (error) {
      this.logger.warn({ err: error, sessions: revocations.length }, 'could not publish revoked sessions; retrying in the background');
      for (const r of revocations) this.pending.set(r.sessionId, r.until);
      this.scheduleRetry();
    }
  }

  /** Revocations not yet in Redis (for tests and diagnostics). */
  get pendingCount(): number {
    return this.pending.size;
  }

  private async publish(redis: Redis, revocations: readonly SessionRevocation[]): Promise<void> {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`Redis did not answer within ${PUBLISH_TIMEOUT_MS} ms.`)), PUBLISH_TIMEOUT_MS);
    });
    try {
      await Promise.race([publishRevokedSessions(redis, revocations, this.now()), timeout]);
    } finally {
      clearTimeout(timer);
    }
  }

  private scheduleRetry(): void {
    if (this.retryTimer) return;
    this.retryTimer = setTimeout(() => {
      this.retryTimer = undefined;
      void this.retryPending();
    }, this.retryDelayMs);
    this.retryTimer.unref();
  }

  private async retryPending(): Promise<void> {
    const now = this.now();
    const revocations: SessionRevocation[] = [];
    for (const [sessionId, until] of this.pending) {
      if (until <= now) this.pending.delete(sessionId);
      else revocations.push({ sessionId, until });
    }
    if (revocations.length === 0 || !this.redis) return;
    try {
      await this.publish(this.redis, revocations);
      for (const r of revocations) if (this.pending.get(r.sessionId) === r.until) this.pending.delete(r.sessionId);
      this.retryDelayMs = RETRY_MIN_MS;
      this.logger.info({ sessions: revocations.length }, 'published revoked sessions after a retry');
    } catch {
      this.retryDelayMs = Math.min(this.retryDelayMs * 2, RETRY_MAX_MS);
    }
    if (this.pending.size > 0) this.scheduleRetry();
  }
}
