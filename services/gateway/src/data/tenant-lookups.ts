import type { TenantClients } from '@mindbot/db';

// Read-only lookups in the tenant's own schema of rows other services own: users (SSO) and voice
// sessions (billing). The gateway reads them, as the tenant's role, to answer a request correctly
// without a round trip to the owning service; it never writes them.

/** Whether the tenant has a user with this id (blocked users included: they exist). */
export async function tenantHasUser(tenants: TenantClients, tenant: string, userId: string): Promise<boolean> {
  const user = await tenants.forTenant(tenant).transaction((tx) => tx.user.findUnique({ where: { id: userId }, select: { id: true } }));
  return user !== null;
}

/** Whose a voice session of the tenant is, whether it still runs, and when it started; undefined when there is none. */
export async function voiceSessionOf(
  tenants: TenantClients,
  tenant: string,
  sessionId: string,
): Promise<{ userId: string; status: string; startedAt: Date } | undefined> {
  const session = await tenants
    .forTenant(tenant)
    .transaction((tx) => tx.voiceSession.findUnique({ where: { id: sessionId }, select: { userId: true, status: true, startedAt: true } }));
  return session ?? undefined;
}
