import type { PlatformClient, TenantTransaction } from '@mindbot/db';
import { recordAudit } from './audit-record.js';

/** How long an audit log keeps its entries when the platform team has set nothing for the tenant. */
export const DEFAULT_AUDIT_RETENTION_DAYS = 365;
/** The action of the entry a purge leaves: what it removed and the hash the oldest kept entry links to. */
export const AUDIT_PURGED_ACTION = 'audit.purged';

/** Where the chain starts after a purge: the last removed entry's sequence number and hash. */
export interface AuditAnchor {
  throughSeq: number;
  hash: string;
}

export interface AuditPurge {
  removed: number;
  /** Null when nothing was old enough to remove. */
  anchor: AuditAnchor | null;
}

/** The retention of each tenant that has one set (platform.tenant_audit_settings); others keep DEFAULT_AUDIT_RETENTION_DAYS. */
export async function auditRetentionDays(platform: PlatformClient, slug: string): Promise<number> {
  const setting = await platform.tenantAuditSetting.findUnique({ where: { slug }, select: { retentionDays: true } });
  return setting?.retentionDays ?? DEFAULT_AUDIT_RETENTION_DAYS;
}

/**
 * Removes the tenant's audit entries older than `retentionDays` (the caller's tenant transaction),
 * oldest first and never from the middle: the chain's prefix up to the first entry young enough to
 * keep. An `audit.purged` entry, itself chained, records the last removed entry's hash, so the
 * verifier checks that the oldest kept entry links to exactly that (the anchor) and a later removal
 * of kept entries still shows. The append-only guard lets these deletes through only up to the
 * sequence number set for this transaction.
 */
export async function purgeAuditLog(tx: TenantTransaction, retentionDays: number, now: Date): Promise<AuditPurge> {
  const cutoff = new Date(now.getTime() - retentionDays * 86_400_000);
  const [bounds] = await tx.$queryRaw<{ through: bigint | null }[]>`
    SELECT coalesce(
      (SELECT min(seq) - 1 FROM audit_log WHERE created_at >= ${cutoff}),
      (SELECT max(seq) FROM audit_log)) AS through`;
  const through = bounds?.through ?? null;
  const last = through === null ? null : await tx.auditEvent.findUnique({ where: { seq: through }, select: { seq: true, hash: true } });
  if (!last) return { removed: 0, anchor: null };
  const anchor = { throughSeq: Number(last.seq), hash: last.hash };
  const [count] = await tx.$queryRaw<{ n: bigint }[]>`SELECT count(*) AS n FROM audit_log WHERE seq <= ${last.seq}`;
  // Appended first, so the chain goes on from the newest entry even when every older one goes.
  await recordAudit(tx, {
    action: AUDIT_PURGED_ACTION,
    actorId: null,
    data: {
      throughSeq: anchor.throughSeq,
      anchorHash: anchor.hash,
      removed: Number(count?.n ?? 0n),
      retentionDays,
      before: cutoff.toISOString(),
    },
  });
  await tx.$executeRaw`SELECT set_config('mindbot.audit_purge_through', ${String(last.seq)}, true)`;
  const removed = await tx.$executeRaw`DELETE FROM audit_log WHERE seq <= ${last.seq}`;
  await tx.$executeRaw`SELECT set_config('mindbot.audit_purge_through', '', true)`;
  return { removed, anchor };
}

/** The anchor the latest purge left, if any purge ran (read from its chained `audit.purged` entry). */
export async function latestAuditAnchor(tx: TenantTransaction): Promise<AuditAnchor | null> {
  const entry = await tx.auditEvent.findFirst({ where: { action: AUDIT_PURGED_ACTION }, orderBy: { seq: 'desc' }, select: { data: true } });
  const data = entry?.data;
  if (typeof data !== 'object' || data === null || Array.isArray(data)) return null;
  const { throughSeq, anchorHash } = data as Record<string, unknown>;
  return typeof throughSeq === 'number' && typeof anchorHash === 'string' ? { throughSeq, hash: anchorHash } : null;
}
