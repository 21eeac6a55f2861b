import pg from 'pg';
import type { Logger } from '@mindbot/logger';

export type NotificationHandler = (payload: string) => void;

/**
 * One dedicated Postgres connection that LISTENs on a few channels and reconnects by itself with
 * capped backoff. Notifications sent while it was away are lost, so `onReconnect` handlers run after
 * every (re)connection: caches drop everything they hold then.
 */
export class PgListener {
  private client: pg.Client | undefined;
  private readonly handlers = new Map<string, NotificationHandler[]>();
  private readonly reconnectHandlers: (() => void)[] = [];
  private closed = false;
  private attempt = 0;
  private timer: NodeJS.Timeout | undefined;
  private connectedOnce: Promise<void> | undefined;
  connected = false;

  constructor(
    private readonly connectionString: string,
    private readonly logger: Logger,
  ) {}

  on(channel: string, handler: NotificationHandler): void {
    if (!/^[a-z_][a-z0-9_]*$/.test(channel)) throw new Error(`Not a channel name: ${channel}`);
    this.handlers.set(channel, [...(this.handlers.get(channel) ?? []), handler]);
  }

  onReconnect(handler: () => void): void {
    this.reconnectHandlers.push(handler);
  }

  /** Resolves once the first LISTEN is in place (or rejects if the first attempt fails; it keeps retrying). */
  start(): Promise<void> {
    this.connectedOnce ??= this.connect();
    return this.connectedOnce;
  }

  async close(): Promise<void> {
    this.closed = true;
    if (this.timer) clearTimeout(this.timer);
    const client = this.client;
    this.client = undefined;
    this.connected = false;
    await client?.end().catch(() => undefined);
  }

  private async connect(): Promise<void> {
    const client = new pg.Client({
      connectionString: this.connectionString,
      application_name: 'mindbot-gateway-listener',
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
      this.connect().catch(() => undefined);
    }, delay);
    this.timer.unref();
  }
}
