import type { PlatformClient, TenantClients } from '@mindbot/db';
import type { Logger } from '@mindbot/logger';
import type { PgListener } from '@mindbot/tenant-registry';
import type { PgBoss } from 'pg-boss';
import { jobIdOf } from './job-id.js';
import type { QueueDefinitions, RelayedJob } from './job-queues.js';
import { OUTBOX_CHANNEL } from './outbox.js';

export interface OutboxRelayOptions {
  boss: PgBoss;
  tenants: TenantClients;
  platform: PlatformClient;
  listener: PgListener;
  logger: Logger;
  queues: QueueDefinitions;
  /** The safety net: every tenant's outbox is read this often, whatever notifications said. */
  sweepEveryMs?: number;
  batchSize?: number;
}

interface OutboxRow {
  id: bigint;
  topic: string;
  ordering_key: string | null;
  payload: Record<string, unknown>;
}

/**
 * Copies committed outbox rows of every tenant homed here into the job queue, then marks them
 * relayed. Woken by the writers' NOTIFY once their transactions commit (outbox.ts), and sweeps at start, after the listener
 * reconnects (notifications sent meanwhile are lost) and every minute. Each row keeps its job id
 * ({@link jobIdOf}), so a relay dying half-way, or two relays at once, never make a row two jobs;
 * a per-tenant advisory lock keeps two relays from interleaving one tenant's rows out of order.
 */
export class OutboxRelay {
  private readonly running = new Map<string, Promise<void>>();
  private readonly rerun = new Set<string>();
  private readonly slugBySchema = new Map<string, string>();
  private timer: NodeJS.Timeout | undefined;
  private stopped = false;

  constructor(private readonly o: OutboxRelayOptions) {}

  async start(): Promise<void> {
    this.o.listener.on(OUTBOX_CHANNEL, (schema) => void this.wake(schema));
    this.o.listener.onReconnect(() => void this.sweep());
    this.timer = setInterval(() => void this.sweep(), this.o.sweepEveryMs ?? 60_000);
    this.timer.unref();
    await this.sweep();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearInterval(this.timer);
    await Promise.all([...this.running.values()]);
  }

  /** Relays every home tenant's outbox once (and returns when done). */
  async sweep(): Promise<void> {
    let tenants: { slug: string; schema_name: string }[];
    try {
      tenants = await this.o.platform.$queryRaw<{ slug: string; schema_name: string }[]>`
        SELECT slug, schema_name FROM platform.tenants WHERE home AND schema_name IS NOT NULL AND status <> 'deprovisioning'`;
    } catch (error) {
      this.o.logger.warn({ err: error }, 'outbox relay could not list tenants; next sweep retries');
      return;
    }
    for (const t of tenants) this.slugBySchema.set(t.schema_name, t.slug);
    await Promise.all(tenants.map((t) => this.relay(t.slug)));
  }

  private async wake(schema: string): Promise<void> {
    let slug = this.slugBySchema.get(schema);
    if (!slug) {
      const rows = await this.o.platform.$queryRaw<{ slug: string }[]>`
        SELECT slug FROM platform.tenants WHERE schema_name = ${schema} AND home`.catch(() => []);
      slug = rows[0]?.slug;
      if (!slug) return;
      this.slugBySchema.set(schema, slug);
    }
    await this.relay(slug);
  }

  /** One relay per tenant at a time in this process; a wake-up during a run runs it once more after. */
  relay(slug: string): Promise<void> {
    if (this.stopped) return Promise.resolve();
    const current = this.running.get(slug);
    if (current) {
      this.rerun.add(slug);
      return current;
    }
    const run = (async () => {
      do {
        this.rerun.delete(slug);
        await this.drain(slug).catch((error: unknown) =>
          this.o.logger.warn({ err: error, tenant: slug }, 'outbox relay failed; retrying at the next sweep'),
        );
      } while (this.rerun.has(slug) && !this.stopped);
    })().finally(() => this.running.delete(slug));
    this.running.set(slug, run);
    return run;
  }

  private async drain(slug: string): Promise<void> {
    const batchSize = this.o.batchSize ?? 100;
    for (;;) {
      const relayed = await this.o.tenants.forTenant(slug).transaction(
        async (tx) => {
          // Waits for another relay of this tenant (another process) to finish, so rows reach the queue in id order.
          await tx.$queryRaw`SELECT pg_advisory_xact_lock(hashtext('mindbot_outbox'), hashtext(current_schema()))::text`;
          const rows = await tx.$queryRaw<OutboxRow[]>`
            SELECT id, topic, ordering_key, payload FROM outbox_events WHERE relayed_at IS NULL ORDER BY id LIMIT ${batchSize}`;
          const done: bigint[] = [];
          const schema = this.o.tenants.forTenant(slug).schema;
          for (const row of rows) {
            if (!(row.topic in this.o.queues)) {
              // Kept, not dropped: a newer release that knows the topic relays it.
              this.o.logger.error(
                { tenant: slug, topic: row.topic, outboxId: String(row.id) },
                'outbox row of an unknown topic left unrelayed',
              );
              continue;
            }
            const job: RelayedJob = { tenant: slug, outboxId: String(row.id), payload: row.payload };
            // One send per row, in order: a key-ordered queue orders by creation time, which one statement would share.
            await this.o.boss.send(row.topic, job, {
              id: jobIdOf(schema, row.id),
              ...(row.ordering_key === null ? {} : { singletonKey: `${slug}:${row.ordering_key}` }),
            });
            done.push(row.id);
          }
          if (done.length > 0) await tx.$executeRaw`UPDATE outbox_events SET relayed_at = now() WHERE id = ANY(${done})`;
          return done.length;
        },
        { timeoutMs: 60_000 },
      );
      if (relayed < batchSize || this.stopped) return;
    }
  }
}
