import type pg from 'pg';

/**
 * NOTIFY sent after a tenant transaction has committed, not inside it. Postgres commits every
 * notifying transaction one at a time, disk flush included (the notification queue's lock), so a
 * NOTIFY inside each money transaction took group commit away from all of them: Stripe webhook
 * fulfilment ran at about half the rate of the same transaction without it. Here the notifications
 * of every transaction this process commits within one tick are deduplicated and sent together in
 * one statement of their own. A send that fails is reported to `onError` and not retried: the
 * listeners of these channels sweep on reconnect and on a timer, as they must for any lost NOTIFY.
 */
export class CommitNotifications {
  private readonly pending = new Map<string, { channel: string; payload: string }>();
  private flushing: Promise<void> | undefined;

  constructor(
    private readonly pool: pg.Pool,
    private readonly onError: (error: unknown) => void = () => undefined,
  ) {}

  send(channel: string, payload: string): void {
    this.pending.set(`${channel}\u0000${payload}`, { channel, payload });
    this.flushing ??= new Promise<void>((resolve) => setImmediate(resolve)).then(() => this.flush());
  }

  /** Settles once everything sent so far has gone out (tests, and a clean shutdown). */
  async drained(): Promise<void> {
    while (this.flushing) await this.flushing;
  }

  private async flush(): Promise<void> {
    const batch = [...this.pending.values()];
    this.pending.clear();
    try {
      await this.pool.query('SELECT pg_notify(n.channel, n.payload) FROM unnest($1::text[], $2::text[]) AS n(channel, payload)', [
        batch.map((n) => n.channel),
        batch.map((n) => n.payload),
      ]);
    } catch (error) {
      this.onError(error);
    } finally {
      this.flushing = undefined;
      if (this.pending.size > 0) this.flushing = this.flush();
    }
  }
}

/** What a hook registered with {@link afterCommit} is given once the transaction has committed. */
export interface Committed {
  /** The tenant schema the transaction ran in. */
  schema: string;
  /** Sends a notification, batched with the others of this tick (see CommitNotifications). */
  notify(channel: string, payload: string): void;
}

const hooksOf = new WeakMap<object, ((committed: Committed) => void)[]>();

/** Called by TenantClients as a transaction starts: the list its hooks go into. */
export function trackCommitHooks(tx: object): ((committed: Committed) => void)[] {
  const hooks: ((committed: Committed) => void)[] = [];
  hooksOf.set(tx, hooks);
  return hooks;
}

/**
 * Runs `hook` once the tenant transaction `tx` has committed, never when it rolls back. Answers
 * false when `tx` is not a transaction TenantClients opened: the caller then does its work inside
 * the transaction instead.
 */
export function afterCommit(tx: object, hook: (committed: Committed) => void): boolean {
  const hooks = hooksOf.get(tx);
  if (!hooks) return false;
  hooks.push(hook);
  return true;
}
