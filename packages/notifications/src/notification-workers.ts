import type { PlatformClient, TenantClients } from '@mindbot/db';
import { PLATFORM_EVENT_QUEUE, type RelayedWorker, type ScheduledWorker } from '@mindbot/jobs';
import type { Logger } from '@mindbot/logger';
import type { Queue } from 'pg-boss';
import type { Registry } from 'prom-client';
import type { Mailer } from '@mindbot/mailer';
import { handlePlatformEvent } from './event-notifications.js';
import { notifyExpiringMinutes } from './expiring-minutes.js';
import { NotificationSender, type BrandSource } from './notification-sender.js';

/** The daily expiring-minutes job's queue, and when it runs (UTC). */
export const EXPIRING_MINUTES_QUEUE = 'notifications.expiring-minutes';
export const EXPIRING_MINUTES_CRON = '0 8 * * *';

export interface NotificationWorkersDeps {
  tenants: TenantClients;
  platform: PlatformClient;
  mailer: Mailer;
  brands: BrandSource;
  logger: Logger;
  now?: () => Date;
  /** The process's metrics registry (ServiceDeps.metrics.registry). */
  registry?: Registry;
  /** Retry options of the platform event queue (tests: short delays); the queue's defaults otherwise. */
  eventQueue?: Omit<Queue, 'name'>;
}

/** The home tenants of this region, as the outbox relay lists them. */
async function homeTenants(platform: PlatformClient): Promise<string[]> {
  const rows = await platform.$queryRaw<{ slug: string }[]>`
    SELECT slug FROM platform.tenants WHERE home AND schema_name IS NOT NULL AND status <> 'deprovisioning' ORDER BY slug`;
  return rows.map((r) => r.slug);
}

/** The notification workers for the jobs component (ADR 0058): platform events and the daily expiring-minutes job. */
export function notificationWorkers(deps: NotificationWorkersDeps): {
  sender: NotificationSender;
  relayedWorkers: RelayedWorker[];
  scheduledWorkers: ScheduledWorker[];
  runExpiringMinutes(): Promise<{ sent: number }>;
} {
  const sender = new NotificationSender(deps.tenants, deps.mailer, deps.brands, deps.logger, deps.registry);
  const now = deps.now ?? (() => new Date());
  const runExpiringMinutes = () =>
    notifyExpiringMinutes({ tenants: deps.tenants, sender, logger: deps.logger, listTenants: () => homeTenants(deps.platform) }, now());
  return {
    sender,
    relayedWorkers: [
      {
        queue: PLATFORM_EVENT_QUEUE,
        ...(deps.eventQueue ? { options: deps.eventQueue } : {}),
        async handle(job) {
          await handlePlatformEvent(sender, job);
        },
      },
    ],
    scheduledWorkers: [
      {
        queue: EXPIRING_MINUTES_QUEUE,
        cron: EXPIRING_MINUTES_CRON,
        async run() {
          await runExpiringMinutes();
        },
      },
    ],
    runExpiringMinutes,
  };
}
