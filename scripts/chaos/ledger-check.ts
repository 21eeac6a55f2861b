// The ledger check after a fault: every session charged exactly what its end settled (the elapsed
// seconds billing acknowledged), the ledger agrees with itself (bench/billing-common.ts's
// ledgerProblems: lots against their entries, sessions against theirs), no balance below zero, and
// no purchase fulfilled twice (one card per purchase, one lot per card, one credit per lot).
import { createPool, TenantClients } from '@mindbot/db';
import { ledgerProblems } from '../../bench/billing-common.js';
import type { BoughtPurchase, TalkedSession } from './load.js';

export interface LedgerCheck {
  sessions: number;
  /** Sessions whose end billing never acknowledged (the talker gave up). */
  unended: number;
  /** Seconds an acknowledged end settled that were not charged. */
  secondsLost: number;
  /** Seconds charged beyond what the end settled. */
  secondsDoubled: number;
  /** Lots below zero. */
  negativeBalances: number;
  /** Purchases with more than one card, cards with more than one lot, lots with more than one credit. */
  doubleFulfilments: number;
  /** Purchases billing acknowledged as paid. */
  purchases: number;
  /** Acknowledged purchases without exactly one issued card (a payment lost). */
  unfulfilled: number;
  /** What ledgerProblems found (lots or sessions whose entries disagree). */
  problems: string[];
}

export function ledgerClean(check: LedgerCheck): boolean {
  return (
    check.unended === 0 &&
    check.secondsLost === 0 &&
    check.secondsDoubled === 0 &&
    check.negativeBalances === 0 &&
    check.doubleFulfilments === 0 &&
    check.unfulfilled === 0 &&
    check.problems.length === 0
  );
}

export async function checkLedger(
  databaseUrl: string,
  tenants: string[],
  sessions: TalkedSession[],
  purchases: BoughtPurchase[],
): Promise<LedgerCheck> {
  const pool = createPool(databaseUrl, { max: 2, applicationName: 'mindbot-chaos-ledger' });
  const clients = new TenantClients(pool);
  const check: LedgerCheck = {
    sessions: sessions.length,
    unended: 0,
    secondsLost: 0,
    secondsDoubled: 0,
    negativeBalances: 0,
    doubleFulfilments: 0,
    purchases: purchases.filter((p) => p.paid).length,
    unfulfilled: 0,
    problems: [],
  };
  try {
    for (const slug of new Set([...tenants, ...purchases.map((p) => p.tenant)])) {
      await clients.forTenant(slug).transaction(async (tx) => {
        check.problems.push(...(await ledgerProblems(tx)).map((p) => `${slug}: ${p}`));
        const [negative] = await tx.$queryRaw<{ n: number }[]>`SELECT count(*)::int AS n FROM minute_lots WHERE remaining_seconds < 0`;
        check.negativeBalances += negative?.n ?? 0;
        const [twice] = await tx.$queryRaw<{ n: number }[]>`
          SELECT ((SELECT count(*) FROM (SELECT purchase_id FROM time_cards GROUP BY purchase_id HAVING count(*) > 1) p)
            + (SELECT count(*) FROM (SELECT time_card_id FROM minute_lots GROUP BY time_card_id HAVING count(*) > 1) c)
            + (SELECT count(*) FROM (SELECT lot_id FROM ledger_entries WHERE kind = 'credit' GROUP BY lot_id HAVING count(*) > 1) l))::int AS n`;
        check.doubleFulfilments += twice?.n ?? 0;
        const paid = purchases.filter((p) => p.tenant === slug && p.paid).map((p) => p.purchaseId);
        if (paid.length > 0) {
          const cards = await tx.$queryRaw<{ id: string; status: string; cards: number }[]>`
            SELECT p.id, p.status, count(c.id)::int AS cards FROM purchases p LEFT JOIN time_cards c ON c.purchase_id = p.id
            WHERE p.id = ANY(${paid}::text[]) GROUP BY p.id, p.status`;
          check.unfulfilled += paid.length - cards.filter((c) => c.status === 'paid' && c.cards === 1).length;
        }
        const mine = sessions.filter((s) => s.tenant === slug);
        if (mine.length === 0) return;
        const rows = await tx.$queryRaw<{ id: string; status: string; charged_seconds: number }[]>`
          SELECT id, status, charged_seconds FROM voice_sessions WHERE id = ANY(${mine.map((s) => s.sessionId)}::text[])`;
        const byId = new Map(rows.map((r) => [r.id, r]));
        for (const session of mine) {
          const row = byId.get(session.sessionId);
          if (session.endedAt === undefined || !row || row.status !== 'ended') {
            check.unended++;
            continue;
          }
          if (row.charged_seconds < session.endedAt) check.secondsLost += session.endedAt - row.charged_seconds;
          if (row.charged_seconds > session.endedAt) check.secondsDoubled += row.charged_seconds - session.endedAt;
        }
      });
    }
  } finally {
    await clients.close();
    await pool.end();
  }
  return check;
}
