import type { TenantClients, TenantTransaction } from '@mindbot/db';
import { newId } from '@mindbot/ids';
import type { Logger } from '@mindbot/logger';

export interface AuditEntry {
  action: string;
  actorId?: string | undefined;
  target?: string | undefined;
  data?: Record<string, string | number | boolean | null | string[]>;
  requestId?: string | undefined;
  /** Personal details (an email, a name): kept outside the chain's hash, so erasure can blank them (ADR 0059). */
  personal?: Record<string, string | null> | undefined;
}

/** Who a use case acts for, as the audit log records it: the signed-in user (if any) and the request. */
export interface Attribution {
  actorId?: string | undefined;
  requestId: string | undefined;
}

/** Writes to the tenant's append-only audit log (and the service log). */
export class Auditor {
  constructor(
    private readonly tenants: TenantClients,
    private readonly logger: Logger,
  ) {}

  async record(tenant: string, entry: AuditEntry): Promise<void> {
    await this.tenants.forTenant(tenant).transaction((tx) => this.recordIn(tx, tenant, entry));
  }

  /** Appends in the caller's transaction: the entry exists exactly when the change does. */
  async recordIn(tx: TenantTransaction, tenant: string, entry: AuditEntry): Promise<void> {
    this.logger.info({ tenantId: tenant, audit: entry.action, target: entry.target, requestId: entry.requestId }, 'audit');
    await tx.auditEvent.create({
      data: {
        id: newId('audit'),
        action: entry.action,
        actorId: entry.actorId ?? null,
        target: entry.target ?? null,
        data: entry.data ?? {},
        requestId: entry.requestId ?? null,
        personal: entry.personal ?? {},
      },
    });
  }
}
