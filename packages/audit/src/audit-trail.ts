import type { TenantTransaction } from '@mindbot/db';

/** Filters of the audit log as an admin reads it, newest first. */
export interface AuditQuery {
  actorId?: string | undefined;
  /** An exact action (`user.invited`) or a family ending in `.*` (`user.*`). */
  action?: string | undefined;
  target?: string | undefined;
  from?: Date | undefined;
  to?: Date | undefined;
  /** Continue after this cursor (from a previous page's `nextCursor`). */
  cursor?: string | undefined;
  limit: number;
}

export interface AuditEntryView {
  seq: number;
  id: string;
  actorId: string | null;
  /** The actor's email while the actor is a user of the tenant; null for the platform, a key, or a user since removed. */
  actorEmail: string | null;
  action: string;
  target: string | null;
  data: unknown;
  requestId: string | null;
  createdAt: Date;
  hash: string;
}

export interface AuditPage {
  entries: AuditEntryView[];
  nextCursor: string | null;
}

/** A page of the tenant's audit log (the caller's tenant transaction), keyset-paginated on the chain's sequence. */
export async function listAuditEntries(tx: TenantTransaction, query: AuditQuery): Promise<AuditPage> {
  const family = query.action?.endsWith('.*') ? query.action.slice(0, -1) : undefined;
  const before = query.cursor === undefined ? undefined : BigInt(query.cursor);
  const rows = await tx.auditEvent.findMany({
    where: {
      ...(query.actorId !== undefined ? { actorId: query.actorId } : {}),
      ...(query.action !== undefined ? { action: family !== undefined ? { startsWith: family } : query.action } : {}),
      ...(query.target !== undefined ? { target: query.target } : {}),
      ...(query.from !== undefined || query.to !== undefined
        ? { createdAt: { ...(query.from ? { gte: query.from } : {}), ...(query.to ? { lte: query.to } : {}) } }
        : {}),
      ...(before !== undefined ? { seq: { lt: before } } : {}),
    },
    orderBy: { seq: 'desc' },
    take: query.limit + 1,
  });
  const page = rows.slice(0, query.limit);
  const actorIds = [...new Set(page.flatMap((r) => (r.actorId ? [r.actorId] : [])))];
  const users = actorIds.length > 0 ? await tx.user.findMany({ where: { id: { in: actorIds } }, select: { id: true, email: true } }) : [];
  const emailOf = new Map(users.map((u) => [u.id, u.email]));
  const last = page.at(-1);
  return {
    entries: page.map((r) => ({
      seq: Number(r.seq),
      id: r.id,
      actorId: r.actorId,
      actorEmail: r.actorId ? (emailOf.get(r.actorId) ?? null) : null,
      action: r.action,
      target: r.target,
      data: r.data,
      requestId: r.requestId,
      createdAt: r.createdAt,
      hash: r.hash,
    })),
    nextCursor: rows.length > query.limit && last ? String(last.seq) : null,
  };
}
