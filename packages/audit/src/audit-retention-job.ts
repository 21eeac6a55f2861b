import type { PlatformClient, TenantClients } from '@mindbot/db';
import type { Logger } from '@mindbot/logger';
import type { PgBoss } from 'pg-boss';
import { auditRetentionDays, purgeAuditLog } from './audit-retention.js';

/** The pg-boss queue the daily purge runs on. */
export const AUDIT_RETENTION_QUEUE = 'audit-retention';
/** Every day at 03:17 UTC (off the hour, when little else runs). */
export const AUDIT_RETENTION_CRON = '17 3 * * *';

export interface AuditRetentionDeps {
  platform: PlatformClient;
  tenants: TenantClients;
  logger: Logger;
  /** This process's region: only tenants whose schema lives here are purged here. */
  region: string;
  now?: () => Date;
}

/** One tenant's outcome of a purge run. */
export interface TenantPurge {
  tenant: string;
  retentionDays: number;
  removed: number;
}

/**
 * Purges every home tenant's audit log down to its retention (platform.tenant_audit_settings, else
 * 365 days), one tenant transaction each; a tenant that fails is logged and the others still run.
 */
export async function purgeExpiredAuditLogs(deps: AuditRetentionDeps): Promise<TenantPurge[]> {
  const now = deps.now?.() ?? new Date();
  const homes = await deps.platform.tenant.findMany({
    where: { region: deps.region, home: true, status: { in: ['active', 'suspended'] } },
    select: { slug: true },
    orderBy: { slug: 'asc' },
  });
  const done: TenantPurge[] = [];
  for (const { slug } of homes) {
    try {
      const retentionDays = await auditRetentionDays(deps.platform, slug);
      const purge = await deps.tenants.forTenant(slug).transaction((tx) => purgeAuditLog(tx, retentionDays, now));
      if (purge.removed > 0)
        deps.logger.info({ tenantId: slug, removed: purge.removed, retentionDays }, 'audit entries past retention removed');
      done.push({ tenant: slug, retentionDays, removed: purge.removed });
    } catch (error) {
      deps.logger.error({ err: error, tenantId: slug }, 'audit retention purge failed');
    }
  }
  return done;
}

/**
 * Schedules the daily purge on pg-boss (one run per day across every process that schedules it:
 * pg-boss keeps one schedule per queue and hands each run to one worker) and works it here.
 */
export async function scheduleAuditRetention(boss: PgBoss, deps: AuditRetentionDeps, cron = AUDIT_RETENTION_CRON): Promise<void> {
  if (!(await boss.getQueue(AUDIT_RETENTION_QUEUE))) await boss.createQueue(AUDIT_RETENTION_QUEUE, { policy: 'singleton', retryLimit: 3 });
  await boss.schedule(AUDIT_RETENTION_QUEUE, cron, {}, { tz: 'UTC' });
  await boss.work(AUDIT_RETENTION_QUEUE, { batchSize: 1 }, async () => {
    await purgeExpiredAuditLogs(deps);
  });
}
