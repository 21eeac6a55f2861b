import type { Redis } from 'ioredis';
import type { Logger } from '@mindbot/logger';

// The revocation list of platform sessions (docs/adr/0013-session-revocation-list.md). The SSO
// service adds a session here when it ends it; every process that verifies access tokens holds the
// whole list in memory, so refusing a revoked session's token is a map lookup.

/**
 * A sorted set of revoked session ids, each scored by the time (epoch ms) after which no access
 * token of that session can still be accepted. One platform-wide key, not a `t:{tenant}:` key:
 * every verifier reads it whole at start, and session ids are unique across tenants.
 */
export const REVOKED_SESSIONS_KEY = 'platform:revoked-sessions';
/** Every revocation is also pushed here the moment it is listed: lines of `<until> <sessionId>`. */
export const REVOKED_SESSIONS_CHANNEL = 'platform:revoked-sessions';

const SESSION_ID = /^[A-Za-z0-9_-]{1,128}$/;

export interface SessionRevocation {
  sessionId: string;
  /** Epoch ms after which the session's last access token has expired: the entry is needed until then. */
  until: number;
}

function encode(revocations: readonly SessionRevocation[]): string {
  return revocations.map((r) => `${Math.ceil(r.until)} ${r.sessionId}`).join('\n');
}

function decode(message: string): SessionRevocation[] {
  const found: SessionRevocation[] = [];
  for (const line of message.split('\n')) {
    const [until, sessionId, extra] = line.split(' ');
    const ms = Number(until);
    if (extra === undefined && sessionId !== undefined && SESSION_ID.test(sessionId) && Number.isFinite(ms))
      found.push({ sessionId, until: ms });
  }
  return found;
}

/**
 * Lists sessions as revoked and pushes them to every subscribed process, in one MULTI; entries whose
 * tokens have all expired are dropped on the way. Throws when Redis cannot answer (the caller
 * retries: the revocation itself is already committed in Postgres).
 */
export async function publishRevokedSessions(redis: Redis, revocations: readonly SessionRevocation[], now = Date.now()): Promise<void> {
  const valid = revocations.filter((r) => SESSION_ID.test(r.sessionId) && r.until > now);
  if (valid.length === 0) return;
  const multi = redis.multi();
  // GT: a later revocation of the same session may only push its expiry out, never in.
  for (const r of valid) multi.zadd(REVOKED_SESSIONS_KEY, 'GT', Math.ceil(r.until), r.sessionId);
  multi.zremrangebyscore(REVOKED_SESSIONS_KEY, '-inf', `(${now}`);
  multi.publish(REVOKED_SESSIONS_CHANNEL, encode(valid));
  const replies = await multi.exec();
  if (!replies) throw new Error('Redis discarded the revocation transaction.');
  for (const [error] of replies) if (error) throw error;
}

export interface RevokedSessionListOptions {
  /** How often the whole list is read again: the safety net for pushes missed while disconnected. Default 30 s. */
  resyncMs?: number;
  /** The longest token verification waits for the first load after start-up. Default 3 s. */
  firstLoadTimeoutMs?: number;
  now?: () => number;
}

/**
 * This process's copy of the revocation list: filled from Redis on start, kept in step by the
 * channel (subscribed before each full read, so nothing falls between the two), read again in full
 * every `resyncMs` and on every reconnection. Entries are dropped once their tokens have expired.
 *
 * When Redis is away, the copy stays as last loaded and verification goes on with it (never
 * waiting on Redis): revocations made meanwhile arrive when Redis answers again. Without Redis at
 * all (single-node), only what this process adds itself is listed.
 */
export class RevokedSessionList {
  /** Resolves once the first load is over: loaded, timed out, or closed. Never rejects. */
  readonly firstLoad: Promise<void>;
  private readonly entries = new Map<string, number>();
  private readonly now: () => number;
  private readonly subscriber: Redis | undefined;
  private readonly timer: NodeJS.Timeout | undefined;
  private settleFirstLoad: () => void = () => undefined;
  private loaded = false;
  private failing = false;
  private closed = false;

  constructor(
    private readonly redis: Redis | undefined,
    private readonly logger: Logger,
    options: RevokedSessionListOptions = {},
  ) {
    this.now = options.now ?? Date.now;
    this.firstLoad = new Promise<void>((resolve) => {
      this.settleFirstLoad = resolve;
    });
    if (!redis) {
      this.loaded = true;
      this.settleFirstLoad();
      return;
    }
    const giveUp = setTimeout(() => {
      if (this.loaded || this.closed) return;
      this.logger.warn('revoked-session list not loaded yet (Redis does not answer); verifying tokens without it until it loads');
      this.settleFirstLoad();
    }, options.firstLoadTimeoutMs ?? 3_000);
    giveUp.unref();
    void this.firstLoad.then(() => clearTimeout(giveUp));

    const subscriber = redis.duplicate();
    this.subscriber = subscriber;
    // The shared client reports Redis outages; this one reports through `failed` below.
    subscriber.on('error', () => undefined);
    subscriber.on('message', (channel: string, message: string) => {
      if (channel === REVOKED_SESSIONS_CHANNEL) this.add(decode(message));
    });
    // On the first connection and on every reconnection: subscribe, then read the whole list.
    subscriber.on('ready', () => {
      void this.subscribeAndLoad(subscriber);
    });
    subscriber.connect().catch((error: unknown) => {
      // Already connecting (a client without lazyConnect) is fine; anything else is retried by ioredis.
      if (!(error instanceof Error && /already connect/i.test(error.message))) this.failed(error);
    });
    this.timer = setInterval(() => {
      void this.resync();
    }, options.resyncMs ?? 30_000);
    this.timer.unref();
  }

  /** Whether tokens of this session must be refused. */
  has(sessionId: string): boolean {
    return this.entries.has(sessionId);
  }

  /** Lists sessions in this process at once (the SSO service does so for those it ends itself). */
  add(revocations: readonly SessionRevocation[]): void {
    const now = this.now();
    for (const { sessionId, until } of revocations) {
      if (until <= now) continue;
      const known = this.entries.get(sessionId);
      if (known === undefined || known < until) this.entries.set(sessionId, until);
    }
  }

  /** How many sessions are listed (for tests and diagnostics). */
  get size(): number {
    return this.entries.size;
  }

  /** Reads the whole list from Redis and merges it in; throws when Redis cannot answer. */
  async load(): Promise<void> {
    const redis = this.redis;
    if (!redis) return;
    await whenReady(redis, 2_000);
    const now = this.now();
    const reply = await redis.zrangebyscore(REVOKED_SESSIONS_KEY, now, '+inf', 'WITHSCORES');
    const found: SessionRevocation[] = [];
    for (let i = 0; i + 1 < reply.length; i += 2) {
      const sessionId = reply[i];
      const until = Number(reply[i + 1]);
      if (sessionId !== undefined && Number.isFinite(until)) found.push({ sessionId, until });
    }
    this.add(found);
    this.prune(now);
    if (this.failing) this.logger.info({ revokedSessions: this.entries.size }, 'revoked-session list in step with Redis again');
    this.failing = false;
    if (!this.loaded) {
      this.loaded = true;
      this.logger.info({ revokedSessions: this.entries.size }, 'revoked-session list loaded');
      this.settleFirstLoad();
    }
  }

  /** Stops listening (the shared client is its owner's to close). */
  close(): void {
    this.closed = true;
    if (this.timer) clearInterval(this.timer);
    this.subscriber?.disconnect();
    this.settleFirstLoad();
  }

  private async subscribeAndLoad(subscriber: Redis): Promise<void> {
    try {
      await subscriber.subscribe(REVOKED_SESSIONS_CHANNEL);
      await this.load();
    } catch (error) {
      this.failed(error);
    }
  }

  private async resync(): Promise<void> {
    this.prune(this.now());
    if (this.closed) return;
    try {
      await this.load();
    } catch (error) {
      this.failed(error);
    }
  }

  private prune(now: number): void {
    for (const [sessionId, until] of this.entries) if (until <= now) this.entries.delete(sessionId);
  }

  private failed(error: unknown): void {
    if (this.failing || this.closed) return;
    this.failing = true;
    this.logger.warn(
      { err: error, revokedSessions: this.entries.size },
      'revoked-session list cannot read Redis; verifying tokens with the list as last loaded',
    );
  }
}

/** Resolves when the client can take commands (it fails them fast while connecting), or throws after `timeoutMs`. */
async function whenReady(redis: Redis, timeoutMs: number): Promise<void> {
  if (redis.status === 'ready') return;
  await new Promise<void>((resolve, reject) => {
    const onReady = () => {
      clearTimeout(timer);
      resolve();
    };
    const timer = setTimeout(() => {
      redis.off('ready', onReady);
      reject(new Error(`Redis is not ready (${redis.status}).`));
    }, timeoutMs);
    redis.once('ready', onReady);
  });
}
