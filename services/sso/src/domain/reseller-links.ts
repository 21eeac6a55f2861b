import type { PlatformClient, TenantClients, TenantTransaction } from '@mindbot/db';
import type { Logger } from '@mindbot/logger';
import { TENANT_CHANGED_CHANNEL, type PgListener } from '@mindbot/tenant-registry';
import { revokeStaleResellerGrants } from '../data/role-repository.js';
import { revokeUserSessions } from '../data/session-repository.js';
import type { Auditor } from './audit.js';
import type { TokenService } from './token-service.js';

/**
 * Keeps a tenant's `reseller` grants in step with its `parentReseller` (ADR 0057): when the link
 * changes or goes, the former reseller's admins lose the role in the tenant and every session they
 * have there ends at once (the revocation list), so they can no longer run a console that is not
 * their reseller's. Runs on every registry change of the tenant and before each handoff into it.
 */
export class ResellerLinks {
  constructor(
    private readonly platform: PlatformClient,
    private readonly tenants: TenantClients,
    private readonly tokens: TokenService,
    private readonly auditor: Auditor,
    private readonly logger: Logger,
  ) {}

  /** Follows the registry's change notifications (the same channel the registry caches listen on). */
  follow(listener: PgListener): void {
    listener.on(TENANT_CHANGED_CHANNEL, (slug) => {
      this.reconcile(slug).catch((error: unknown) => this.logger.warn({ err: error, tenantId: slug }, 'could not check reseller grants'));
    });
  }

  /** Takes back the grants of resellers other than the tenant's parent now; answers how many users lost one. */
  async reconcile(tenant: string): Promise<number> {
    const row = await this.platform.tenant.findUnique({ where: { slug: tenant }, select: { parentSlug: true, home: true } });
    // Only where the tenant's schema lives; a deleted tenant's schema is gone with its grants.
    if (!row?.home) return 0;
    const parent = row.parentSlug;
    // Nearly every change of a tenant leaves its reseller grants alone: a light read says so.
    const scope = this.tenants.forTenant(tenant);
    const stale = await scope.read(
      (sql) => sql`SELECT 1 FROM user_roles ur JOIN roles r ON r.id = ur.role_id
                   WHERE r.name = 'reseller' AND ur.reseller_slug IS DISTINCT FROM ${parent} LIMIT 1`,
    );
    if (stale.length === 0) return 0;
    const taken = await this.tokens.revoking(tenant, async (tx) => {
      const grants = await revokeStaleResellerGrants(tx, parent);
      const ended: string[] = [];
      for (const grant of grants) ended.push(...(await revokeUserSessions(tx, grant.userId, 'reseller_unlinked')));
      return { result: grants, ended };
    });
    for (const grant of taken) {
      await this.auditor.record(tenant, {
        action: 'reseller.access_revoked',
        target: grant.userId,
        data: { resellerTenant: grant.resellerSlug, parentReseller: parent },
      });
    }
    return taken.length;
  }
}

/** Whether the user's `reseller` role in the tenant was granted for the tenant's parent now. */
export async function resellerGrantHolds(
  platform: PlatformClient,
  tx: TenantTransaction,
  tenant: string,
  userId: string,
): Promise<boolean> {
  const [row, grant] = await Promise.all([
    platform.tenant.findUnique({ where: { slug: tenant }, select: { parentSlug: true } }),
    tx.userRole.findFirst({ where: { userId, role: { name: 'reseller' } }, select: { resellerSlug: true } }),
  ]);
  return row?.parentSlug != null && grant?.resellerSlug === row.parentSlug;
}
