import type { PlatformClient, TenantClients } from '@mindbot/db';
import type { Logger } from '@mindbot/logger';
import type { PgListener } from '@mindbot/tenant-registry';
import { PgBoss, type Queue } from 'pg-boss';
import type { QueueDefinitions, RelayedJob } from './job-queues.js';
import type { QueueCounts } from './jobs-metrics.js';
import { OutboxRelay } from './outbox-relay.js';
import { WebhookDeliverer, type WebhookDeliveryOptions } from './webhooks/webhook-deliverer.js';
import { PLATFORM_EVENT_QUEUE, WEBHOOK_DELIVERY_QUEUE, type WebhookDeliveryJob } from './webhooks/webhook-events.js';

/** The job tables' own schema on the platform database; tenant roles have no rights on it. */
export const JOBS_SCHEMA = 'pgboss';

/**
 * Webhook retries: backoff from 30 s doubling to at most 6 h between attempts; 25 retries reach
 * past three days, when the deliverer disables the endpoint anyway (WebhookDeliveryOptions.giveUpAfterMs).
 */
export const WEBHOOK_QUEUE_DEFAULTS: Omit<Queue, 'name'> = {
  policy: 'key_strict_fifo',
  retryLimit: 25,
  retryDelay: 30,
  retryBackoff: true,
  retryDelayMax: 6 * 3600,
  expireInSeconds: 120,
  retentionSeconds: 4 * 24 * 3600,
};

/**
 * Events the platform acts on itself (e-mail, ADR 0058): retried with backoff for about a day. The
 * queue exists whether or not this process works it, so the relay never leaves such rows behind.
 */
export const PLATFORM_EVENT_QUEUE_DEFAULTS: Omit<Queue, 'name'> = {
  policy: 'standard',
  retryLimit: 12,
  retryDelay: 30,
  retryBackoff: true,
  retryDelayMax: 3 * 3600,
  expireInSeconds: 120,
  retentionSeconds: 2 * 24 * 3600,
};

/** A worker of a queue the outbox relay feeds (enqueue), beside the webhook deliveries. */
export interface RelayedWorker {
  queue: string;
  options?: Omit<Queue, 'name'>;
  /** Throws to have the job retried with the queue's backoff. */
  handle(job: RelayedJob): Promise<void>;
}

/** Work on a schedule: one job per cron tick (UTC) across every process, run by whichever worker takes it. */
export interface ScheduledWorker {
  queue: string;
  cron: string;
  options?: Omit<Queue, 'name'>;
  run(): Promise<void>;
}

export interface JobsOptions {
  connectionString: string;
  tenants: TenantClients;
  platform: PlatformClient;
  /** The process's LISTEN connection (ServiceDeps.notifications); the relay listens on it. */
  listener: PgListener;
  logger: Logger;
  webhooks: WebhookDeliveryOptions;
  /** Overrides of the webhook queue's retry options (tests: short delays). */
  webhookQueue?: Partial<Omit<Queue, 'name' | 'policy'>>;
  /** How often an idle worker looks for jobs, in seconds (pg-boss minimum 0.5). */
  pollingIntervalSeconds?: number;
  relaySweepEveryMs?: number;
  /** Deliveries in flight at once in this process (each endpoint still gets one at a time). */
  concurrency?: number;
  /** Workers of other outbox-fed queues (the notifications, ADR 0058). */
  relayedWorkers?: RelayedWorker[];
  scheduledWorkers?: ScheduledWorker[];
}

/**
 * The job component: pg-boss on the platform database, the outbox relay, and the workers. Started
 * where JOBS_WORKER is on; every process may enqueue (into its tenant's outbox) without it.
 */
export class Jobs {
  readonly boss: PgBoss;
  readonly relay: OutboxRelay;
  private readonly queues: QueueDefinitions;

  constructor(private readonly o: JobsOptions) {
    this.boss = new PgBoss({ connectionString: o.connectionString, schema: JOBS_SCHEMA, max: 4, application_name: 'mindbot-jobs' });
    this.boss.on('error', (error: unknown) => o.logger.warn({ err: error }, 'job queue error'));
    this.queues = {
      [WEBHOOK_DELIVERY_QUEUE]: queueOptions({ ...WEBHOOK_QUEUE_DEFAULTS, ...o.webhookQueue }),
      [PLATFORM_EVENT_QUEUE]: PLATFORM_EVENT_QUEUE_DEFAULTS,
    };
    for (const worker of o.relayedWorkers ?? []) this.queues[worker.queue] = queueOptions(worker.options ?? PLATFORM_EVENT_QUEUE_DEFAULTS);
    this.relay = new OutboxRelay({
      boss: this.boss,
      tenants: o.tenants,
      platform: o.platform,
      listener: o.listener,
      logger: o.logger,
      queues: this.queues,
      ...(o.relaySweepEveryMs === undefined ? {} : { sweepEveryMs: o.relaySweepEveryMs }),
    });
  }

  async start(): Promise<void> {
    await this.boss.start();
    const scheduled = this.o.scheduledWorkers ?? [];
    const everyQueue = [...Object.entries(this.queues), ...scheduled.map((w) => [w.queue, w.options ?? SCHEDULED_QUEUE_DEFAULTS] as const)];
    for (const [name, options] of everyQueue) {
      if (await this.boss.getQueue(name)) await this.boss.updateQueue(name, updatableOf(options));
      else await this.boss.createQueue(name, options);
    }
    const deliverer = new WebhookDeliverer(this.o.tenants, this.o.logger, this.o.webhooks);
    const workOptions = {
      includeMetadata: true,
      batchSize: 1,
      localConcurrency: this.o.concurrency ?? 4,
      pollingIntervalSeconds: this.o.pollingIntervalSeconds ?? 2,
    } as const;
    await this.boss.work<RelayedJob<WebhookDeliveryJob>, unknown, typeof workOptions>(
      WEBHOOK_DELIVERY_QUEUE,
      workOptions,
      async ([job]) => {
        if (job) await deliverer.deliver(job);
      },
    );
    for (const worker of this.o.relayedWorkers ?? []) {
      await this.boss.work<RelayedJob, unknown, typeof workOptions>(worker.queue, workOptions, async ([job]) => {
        if (job) await worker.handle(job.data);
      });
    }
    for (const worker of scheduled) {
      // A tick missed while no process ran (a deploy, an outage) is sent once when one runs again.
      await this.boss.schedule(worker.queue, worker.cron, null, { tz: 'UTC', missed: 'once' });
      await this.boss.work(worker.queue, { batchSize: 1, pollingIntervalSeconds: workOptions.pollingIntervalSeconds }, () => worker.run());
    }
    await this.relay.start();
  }

  /** Each queue's backlog as pg-boss last counted it (its monitor refreshes the counts): the mindbot_jobs_* gauges. */
  async queueCounts(): Promise<QueueCounts[]> {
    const names = [...Object.keys(this.queues), ...(this.o.scheduledWorkers ?? []).map((w) => w.queue)];
    const queues = await Promise.all(names.map((name) => this.boss.getQueue(name)));
    return queues.flatMap((q) => (q ? [{ queue: q.name, queued: q.queuedCount, active: q.activeCount }] : []));
  }

  async stop(): Promise<void> {
    await this.relay.stop();
    await this.boss.stop({ graceful: true, timeout: 15_000 });
  }
}

const SCHEDULED_QUEUE_DEFAULTS: Omit<Queue, 'name'> = {
  policy: 'singleton',
  retryLimit: 3,
  retryDelay: 300,
  expireInSeconds: 3600,
};

/** pg-boss refuses a maximum delay without backoff (a test's fixed, short delays). */
function queueOptions(options: Omit<Queue, 'name'>): Omit<Queue, 'name'> {
  if (options.retryBackoff) return options;
  const { retryDelayMax: _max, ...rest } = options;
  return rest;
}

function updatableOf(options: Omit<Queue, 'name'>) {
  const { policy: _policy, partition: _partition, deadLetter: _deadLetter, ...rest } = options;
  return rest;
}
