import pg from 'pg';
import type { Logger } from '@mindbot/logger';

export type NotificationHandler = (payload: string) => void;

const CHANNEL_NAME = /^[a-z_][a-z0-9_]*$/;

/**
 * One dedicated Postgres connection per process that LISTENs on a few channels and reconnects by
 * itself with capped backoff. Notifications sent while it was away are lost, so `onReconnect`
 * handlers run after every (re)connection: caches drop everything they hold then. A channel added
 * while connected is listened to at once.
 */
export class PgListener {
  private client: pg.Client | undefined;
  private readonly handlers = new Map<string, NotificationHandler[]>();
  private readonly reconnectHandlers: (() => void)[] = [];
  private closed = false;
  private attempt = 0;
  private timer: NodeJS.Timeout | undefined;
  private firstAttempt: Promise<void> | undefined;
  private connecting: Promise<void> | undefined;
  connected = false;

  constructor(
    private readonly connectionString: string,
    private readonly logger: Logger,
    /** Names the connection in pg_stat_activity (`mindbot-<service>-listener`). */
    private readonly applicationName = 'mindbot-listener',
  ) {}

  on(channel: string, handler: NotificationHandler): void {
    if (!CHANNEL_NAME.test(channel)) throw new Error(`Not a channel name: ${channel}`);
    const known = this.handlers.has(channel);
    this.handlers.set(channel, [...(this.handlers.get(channel) ?? []), handler]);
    const client = this.client;
    if (!known && client) {
      // A failed LISTEN means a broken connection: its error handler reconnects, and LISTENs on every channel then.
      client
        .query(`LISTEN ${channel}`)
        .catch((error: unknown) => this.logger.warn({ err: error, channel }, 'registry listener could not listen'));
    }
  }

  onReconnect(handler: () => void): void {
    this.reconnectHandlers.push(handler);
  }

  /**
   * Starts listening. Settles once the first connection attempt is over, whatever its outcome: after
   * a failure it keeps retrying by itself (and readers cache for a couple of seconds only meanwhile).
   */
  start(): Promise<void> {
    this.firstAttempt ??= this.attemptConnect().catch((error: unknown) => {
      this.logger.warn({ err: error }, 'registry listener could not connect yet; retrying');
    });
    return this.firstAttempt;
  }

  async close(): Promise<void> {
    this.closed = true;
    if (this.timer) clearTimeout(this.timer);
    // A connection still being opened ends itself once it sees `closed`; wait for it, so nothing outlives close().
    await this.connecting?.catch(() => undefined);
    const client = this.client;
    this.client = undefined;
    this.connected = false;
    await client?.end().catch(() => undefined);
  }

  private attemptConnect(): Promise<void> {
    const connecting = this.connect().finally(() => {
      if (this.connecting === connecting) this.connecting = undefined;
    });
    this.connecting = connecting;
    return connecting;
  }

  private async connect(): Promise<void> {
    const client = new pg.Client({
      connectionString: this.connectionString,
      application_name: this.applicationName,
      connectionTimeoutMillis: 5_000,
      keepAlive: true,
    });
    let failed = false;
    const fail = (error: unknown) => {
      if (failed) return;
      failed = true;
      this.connected = false;
      if (this.client === client) this.client = undefined;
      client.removeAllListeners('notification');
      client.end().catch(() => undefined);
      if (this.closed) return;
      this.logger.warn({ err: error }, 'registry listener lost its connection; reconnecting');
      this.schedule();
    };
    client.on('error', fail);
    client.on('end', () => fail(new Error('connection ended')));
    client.on('notification', (message) => {
      for (const handler of this.handlers.get(message.channel) ?? []) handler(message.payload ?? '');
    });
    try {
      await client.connect();
      // A live view of the keys: a channel added while these run is listened to as well.
      for (const channel of this.handlers.keys()) await client.query(`LISTEN ${channel}`);
    } catch (error) {
      fail(error);
      throw error;
    }
    if (this.closed) {
      await client.end().catch(() => undefined);
      return;
    }
    this.client = client;
    this.connected = true;
    if (this.attempt > 0) this.logger.info('registry listener reconnected');
    this.attempt = 0;
    for (const handler of this.reconnectHandlers) handler();
  }

  private schedule(): void {
    if (this.timer || this.closed) return;
    const delay = Math.min(250 * 2 ** this.attempt, 5_000);
    this.attempt += 1;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      this.attemptConnect().catch(() => undefined);
    }, delay);
    this.timer.unref();
  }
}
