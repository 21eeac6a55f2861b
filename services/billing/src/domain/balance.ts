import { lotsLessPending, type TenantScope } from '@mindbot/db';

export interface BalanceView {
  /** What new sessions can use: the total less what running sessions have reserved ahead. */
  availableSeconds: number;
  /** The unexpired lots less what running sessions have used since their last capture to the ledger. */
  totalSeconds: number;
  /** What running sessions have reserved and not used yet. */
  heldSeconds: number;
  /** Spending order: the first-expiring lot is spent first. Less what running sessions have used and not yet captured. */
  lots: { id: string; timeCardId: string; grantedSeconds: number; remainingSeconds: number; expiresAt: Date }[];
}

export async function balanceOf(scope: TenantScope, userId: string, now: Date): Promise<BalanceView> {
  return scope.transaction(
    async (tx) => {
      const lots = await tx.minuteLot.findMany({
        where: { userId, expiresAt: { gt: now }, remainingSeconds: { gt: 0 } },
        orderBy: [{ expiresAt: 'asc' }, { id: 'asc' }],
      });
      const running = await tx.voiceSession.aggregate({
        where: { userId, status: 'active' },
        _sum: { heldSeconds: true, pendingSeconds: true },
      });
      // A running session's hold covers both what it used since its last capture (pending) and
      // what it may still use; the capture will take the pending seconds in spending order.
      const pending = running._sum.pendingSeconds ?? 0;
      const heldSeconds = (running._sum.heldSeconds ?? 0) - pending;
      const spent = lotsLessPending(
        lots.map((l) => ({
          id: l.id,
          timeCardId: l.timeCardId,
          grantedSeconds: l.grantedSeconds,
          remainingSeconds: l.remainingSeconds,
          expiresAt: l.expiresAt,
        })),
        pending,
      );
      const totalSeconds = spent.reduce((sum, lot) => sum + lot.remainingSeconds, 0);
      return {
        availableSeconds: Math.max(0, totalSeconds - heldSeconds),
        totalSeconds,
        heldSeconds,
        lots: spent.filter((l) => l.remainingSeconds > 0),
      };
    },
    { isolationLevel: 'RepeatableRead' },
  );
}

export interface HistoryEntry {
  id: string;
  kind: string;
  seconds: number;
  lotId: string;
  sessionId: string | null;
  createdAt: Date;
}

/** The user's ledger, newest first; `before` is the last id of the previous page. */
export async function historyOf(
  scope: TenantScope,
  userId: string,
  page: { limit: number; before: string | null },
): Promise<{ entries: HistoryEntry[]; next: string | null }> {
  const rows = await scope.transaction((tx) =>
    tx.ledgerEntry.findMany({
      where: { userId, ...(page.before === null ? {} : { id: { lt: page.before } }) },
      orderBy: { id: 'desc' },
      take: page.limit + 1,
      select: { id: true, kind: true, seconds: true, lotId: true, sessionId: true, createdAt: true },
    }),
  );
  const entries = rows.slice(0, page.limit);
  return { entries, next: rows.length > page.limit ? (entries.at(-1)?.id ?? null) : null };
}

export async function sessionsOf(scope: TenantScope, userId: string) {
  const rows = await scope.transaction((tx) => tx.voiceSession.findMany({ where: { userId }, orderBy: { startedAt: 'desc' }, take: 100 }));
  return rows.map((s) => ({
    id: s.id,
    status: s.status,
    settledSeconds: s.settledSeconds,
    chargedSeconds: s.chargedSeconds,
    startedAt: s.startedAt,
    endedAt: s.endedAt,
    endReason: s.endReason,
  }));
}
