import { createHash } from 'node:crypto';
import type { TenantTransaction } from '@mindbot/db';
import { latestAuditAnchor, type AuditAnchor } from './audit-retention.js';

const BATCH = 5_000;

export interface BrokenLink {
  seq: number;
  id: string;
  reason: string;
}

export interface ChainVerification {
  entries: number;
  /** The newest entry: publish its hash elsewhere to anchor the chain against a rewrite of all of it. */
  head: { seq: number; hash: string } | null;
  /** The first entry where the chain does not hold; null when every link holds. */
  firstBroken: BrokenLink | null;
  /** Where the kept chain starts after retention purges (null: nothing was ever purged, it starts at entry 1). */
  anchor: AuditAnchor | null;
}

interface ChainRow {
  seq: bigint;
  id: string;
  prev_hash: string;
  hash: string;
  canonical: string;
}

/**
 * Walks the tenant's audit chain oldest first and recomputes every hash here (the database's
 * trigger computed them on insert): an entry changed, a gap in the sequence or a link to a
 * different predecessor is reported at the first entry where it shows. The chain starts at entry 1,
 * or, once retention has removed old entries, right after the anchor the latest purge recorded:
 * the oldest kept entry must follow it and link to its hash.
 */
export async function verifyAuditChain(tx: TenantTransaction): Promise<ChainVerification> {
  const anchor = await latestAuditAnchor(tx);
  let entries = 0;
  let previous: { seq: bigint; hash: string } | undefined;
  for (;;) {
    const after = previous?.seq ?? -1n;
    const rows = await tx.$queryRaw<ChainRow[]>`
      SELECT seq, id, prev_hash, hash, audit_entry_canonical(a) AS canonical
      FROM audit_log a WHERE seq > ${after} ORDER BY seq LIMIT ${BATCH}`;
    for (const row of rows) {
      const broken = brokenLinkOf(row, previous ?? startOf(anchor));
      if (broken) return { entries: entries + 1, head: null, firstBroken: broken, anchor };
      entries += 1;
      previous = { seq: row.seq, hash: row.hash };
    }
    if (rows.length < BATCH) break;
  }
  return { entries, head: previous ? { seq: Number(previous.seq), hash: previous.hash } : null, firstBroken: null, anchor };
}

/** What the oldest kept entry must follow: the purge's anchor, or nothing before entry 1. */
function startOf(anchor: AuditAnchor | null): { seq: bigint; hash: string } {
  return anchor ? { seq: BigInt(anchor.throughSeq), hash: anchor.hash } : { seq: 0n, hash: '' };
}

function brokenLinkOf(row: ChainRow, previous: { seq: bigint; hash: string }): BrokenLink | undefined {
  const at = { seq: Number(row.seq), id: row.id };
  if (row.seq === 1n && previous.seq === 0n && row.prev_hash !== '') return { ...at, reason: 'the first entry links to a predecessor' };
  if (row.seq !== previous.seq + 1n) return { ...at, reason: `entries ${previous.seq + 1n}–${row.seq - 1n} are missing` };
  if (row.prev_hash !== previous.hash) return { ...at, reason: 'it does not link to the entry before it' };
  const expected = createHash('sha256')
    .update(row.prev_hash + row.canonical, 'utf8')
    .digest('hex');
  if (row.hash !== expected) return { ...at, reason: 'its content does not match its hash (changed after it was written)' };
  return undefined;
}
