import type { TenantTransaction } from '@mindbot/db';
import { newId } from '@mindbot/ids';

// The minute ledger's SQL. Every function runs inside a tenant transaction, as the tenant's role.
// Lots are the spendable balance; each change to a lot is written with a ledger entry in the same
// statement batch, so a lot's remaining_seconds always equals granted + the sum of its entries.

export interface LotDebit {
  lotId: string;
  seconds: number;
}

// Every transaction that spends or reserves a user's seconds locks the user's non-empty lots in
// spending order (first-expiring-first, then oldest): settle_session (tenant migrations 0005 and
// 0022) and start_session (0019) do, which serialises them per user while other users proceed in
// parallel. A session's row is locked before the lots, never after (see lockLotAfterCapture).

/**
 * Takes seconds out of lots and writes one ledger entry per lot. `keyOf(lotId)` must be unique per
 * business event: a repeated call with the same keys fails on the unique index instead of charging twice.
 */
export async function debitLots(
  tx: TenantTransaction,
  entry: { userId: string; kind: 'usage' | 'reversal' | 'expiry'; sessionId: string | null; keyOf: (lotId: string) => string },
  debits: readonly LotDebit[],
): Promise<void> {
  if (debits.length === 0) return;
  const lotIds = debits.map((d) => d.lotId);
  const amounts = debits.map((d) => d.seconds);
  const entryIds = debits.map(() => newId('ledgerEntry'));
  const negatives = debits.map((d) => -d.seconds);
  const keys = debits.map((d) => entry.keyOf(d.lotId));
  await tx.$executeRaw`
    INSERT INTO ledger_entries (id, user_id, lot_id, session_id, kind, seconds, idempotency_key)
    SELECT e.id, ${entry.userId}, e.lot_id, ${entry.sessionId}, ${entry.kind}, e.seconds, e.key
    FROM unnest(${entryIds}::text[], ${lotIds}::text[], ${negatives}::int[], ${keys}::text[]) AS e(id, lot_id, seconds, key)`;
  await tx.$executeRaw`
    UPDATE minute_lots AS l SET remaining_seconds = l.remaining_seconds - d.seconds
    FROM unnest(${lotIds}::text[], ${amounts}::int[]) AS d(lot_id, seconds)
    WHERE l.id = d.lot_id`;
}

export interface LockedLot {
  id: string;
  user_id: string;
  remaining_seconds: number;
  expires_at: Date;
}

/**
 * Locks a lot before time is taken out of it other than by a session (a reversal, a write-off).
 * First its user's running sessions capture what they used and have not yet put in the ledger
 * (capture_pending, tenant migration 0022): those seconds are still in the lots, and a reversal
 * must not take them as unspent. The sessions stay locked until the transaction ends, so no
 * heartbeat adds more meanwhile; lock order is sessions, then lots, as for every settle.
 */
export async function lockLotAfterCapture(
  tx: TenantTransaction,
  lot: { id: string } | { timeCardId: string },
  now: Date,
): Promise<LockedLot | undefined> {
  const [owner] =
    'id' in lot
      ? await tx.$queryRaw<{ user_id: string }[]>`SELECT user_id FROM minute_lots WHERE id = ${lot.id}`
      : await tx.$queryRaw<{ user_id: string }[]>`SELECT user_id FROM minute_lots WHERE time_card_id = ${lot.timeCardId}`;
  if (!owner) return undefined;
  await tx.$queryRaw`SELECT capture_pending(${owner.user_id}::text, ${now}::timestamptz)`;
  const [locked] =
    'id' in lot
      ? await tx.$queryRaw<LockedLot[]>`SELECT id, user_id, remaining_seconds, expires_at FROM minute_lots WHERE id = ${lot.id} FOR UPDATE`
      : await tx.$queryRaw<LockedLot[]>`
          SELECT id, user_id, remaining_seconds, expires_at FROM minute_lots WHERE time_card_id = ${lot.timeCardId} FOR UPDATE`;
  return locked;
}

/** A new lot for an activated time card, with its credit entry. */
export async function creditLot(
  tx: TenantTransaction,
  lot: { userId: string; timeCardId: string; seconds: number; expiresAt: Date },
): Promise<{ lotId: string }> {
  const lotId = newId('minuteLot');
  await tx.$executeRaw`
    INSERT INTO minute_lots (id, time_card_id, user_id, granted_seconds, remaining_seconds, expires_at)
    VALUES (${lotId}, ${lot.timeCardId}, ${lot.userId}, ${lot.seconds}, ${lot.seconds}, ${lot.expiresAt})`;
  await tx.$executeRaw`
    INSERT INTO ledger_entries (id, user_id, lot_id, session_id, kind, seconds, idempotency_key)
    VALUES (${newId('ledgerEntry')}, ${lot.userId}, ${lotId}, NULL, 'credit', ${lot.seconds}, ${`credit:${lot.timeCardId}`})`;
  return { lotId };
}

/** Seconds held by the user's active sessions, except `exceptSessionId`. */
export async function heldByOtherSessions(tx: TenantTransaction, userId: string, exceptSessionId: string | null): Promise<number> {
  const [row] = await tx.$queryRaw<{ held: number }[]>`
    SELECT COALESCE(SUM(held_seconds), 0)::int AS held FROM voice_sessions
    WHERE user_id = ${userId} AND status = 'active' AND (${exceptSessionId}::text IS NULL OR id <> ${exceptSessionId}::text)`;
  return row?.held ?? 0;
}
