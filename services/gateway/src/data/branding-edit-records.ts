import type { TenantClients } from '@mindbot/db';
import { newId } from '@mindbot/ids';
import type { BrandingOverrides, BrandingPatch, BrandingSaveResult } from '@mindbot/tenant-registry';

/** Who saves a console edit: a signed-in admin, in one of their sessions. */
export interface BrandingEditor {
  userId: string;
  sessionId: string;
}

/**
 * Console branding edits (kept in the platform registry by @mindbot/tenant-registry) with an audit
 * event in the tenant's own log. The edit is saved inside the audit's transaction and committed
 * first: a refused or failed edit leaves no audit event behind.
 */
export class BrandingEditRecords {
  constructor(
    private readonly tenants: TenantClients,
    private readonly overrides: BrandingOverrides,
  ) {}

  save(tenant: string, patch: BrandingPatch, editor: BrandingEditor): Promise<BrandingSaveResult> {
    return this.tenants.forTenant(tenant).transaction(async (tx) => {
      const result = await this.overrides.save(tenant, patch, editor.userId);
      if (!result.ok || result.value.changed.length === 0) return result;
      const set = Object.fromEntries(result.value.changed.filter((key) => patch[key] !== null).map((key) => [key, patch[key]]));
      const cleared = result.value.changed.filter((key) => patch[key] === null);
      await tx.auditEvent.create({
        data: {
          id: newId('audit'),
          actorId: editor.userId,
          action: 'branding.updated',
          target: tenant,
          data: { set, cleared, sessionId: editor.sessionId },
        },
      });
      return result;
    });
  }
}
