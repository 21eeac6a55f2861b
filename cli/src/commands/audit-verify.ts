import { verifyAuditChain } from '@mindbot/audit';
import { TenantClients } from '@mindbot/db';
import type { CliContext } from '../context.js';

/**
 * Recomputes a tenant's audit chain and says whether every link holds; prints the first broken
 * one otherwise, and the head hash to keep elsewhere (a rewrite of the whole chain would change it).
 * Answers whether the chain holds.
 */
export async function auditVerify(context: CliContext, slug: string, io: { out: (line: string) => void; err: (line: string) => void }) {
  const home = await context.platform.tenant.findUnique({ where: { slug }, select: { home: true } });
  if (!home?.home) {
    io.err(`No tenant "${slug}" has its data in this database.`);
    return false;
  }
  const tenants = new TenantClients(context.pool);
  try {
    const verified = await tenants.forTenant(slug).transaction((tx) => verifyAuditChain(tx));
    if (verified.firstBroken) {
      const { seq, id, reason } = verified.firstBroken;
      io.err(`${slug}: the audit chain is broken at entry ${seq} (${id}): ${reason}. Entries before it hold.`);
      return false;
    }
    io.out(
      verified.head
        ? `${slug}: ${verified.entries} audit entries, every link holds; head ${verified.head.seq} ${verified.head.hash}` +
            (verified.anchor ? `; kept from entry ${verified.anchor.throughSeq + 1} (older ones removed by retention)` : '')
        : `${slug}: the audit log is empty.`,
    );
    return true;
  } finally {
    await tenants.close();
  }
}
