import type { TenantTransaction } from '@mindbot/db';
import { newId } from '@mindbot/ids';

export interface AuditRecord {
  action: string;
  /** Who did it: a user id, or null for the platform itself. */
  actorId: string | null;
  target?: string | undefined;
  data?: Record<string, string | number | boolean | null | string[]>;
  requestId?: string | undefined;
  /**
   * Personal details worth keeping beside the entry (an email, a name): stored outside the hash, so
   * erasing the person blanks them and the chain still verifies (ADR 0059). Never put them in `data`.
   */
  personal?: Record<string, string | null> | undefined;
}

/** Appends to the tenant's audit log in the caller's transaction, so the entry exists exactly when the change does (the chain is the trigger's). */
export async function recordAudit(tx: TenantTransaction, entry: AuditRecord): Promise<void> {
  await tx.auditEvent.create({
    data: {
      id: newId('audit'),
      action: entry.action,
      actorId: entry.actorId,
      target: entry.target ?? null,
      data: entry.data ?? {},
      requestId: entry.requestId ?? null,
      personal: entry.personal ?? {},
    },
  });
}
