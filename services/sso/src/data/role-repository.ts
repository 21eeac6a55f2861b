import type { TenantTransaction } from '@mindbot/db';

/** Where a role of a user came from: `idp` roles are replaced at each SSO sign-in, `grant` roles stay until an admin changes them. */
export type RoleSource = 'grant' | 'idp';

/** The ids of the tenant's roles by name; names the tenant has no role for are left out. */
export async function roleIdsByName(tx: TenantTransaction, names: readonly string[]): Promise<Map<string, string>> {
  const roles = await tx.role.findMany({ where: { name: { in: [...names] } }, select: { id: true, name: true } });
  return new Map(roles.map((r) => [r.name, r.id]));
}

/** Adds roles a user does not have yet (those the user has keep where they came from). */
export async function grantRoles(tx: TenantTransaction, userId: string, roleIds: readonly string[], source: RoleSource): Promise<void> {
  await tx.userRole.createMany({ data: roleIds.map((roleId) => ({ userId, roleId, source })), skipDuplicates: true });
}

/**
 * Grants the `reseller` role for one reseller (the tenant's parent now): a grant left from an earlier
 * parent is handed to this one, as the handoff that calls this has just checked the link.
 */
export async function grantResellerRole(tx: TenantTransaction, userId: string, roleId: string, resellerSlug: string): Promise<void> {
  await tx.userRole.upsert({
    where: { userId_roleId: { userId, roleId } },
    create: { userId, roleId, source: 'grant', resellerSlug },
    update: { resellerSlug },
  });
}

/**
 * Takes back the `reseller` role from everyone who holds it for a reseller other than `parent` (or
 * for any reseller when there is no parent); answers the users it was taken from, and for whom.
 */
export async function revokeStaleResellerGrants(
  tx: TenantTransaction,
  parent: string | null,
): Promise<{ userId: string; resellerSlug: string | null }[]> {
  // `not: parent` alone leaves out grants that name no reseller (older than the column): stale too.
  const where = {
    role: { name: 'reseller' },
    ...(parent === null ? {} : { OR: [{ resellerSlug: null }, { resellerSlug: { not: parent } }] }),
  };
  const grants = await tx.userRole.findMany({ where, select: { userId: true, roleId: true, resellerSlug: true } });
  if (grants.length === 0) return [];
  await tx.userRole.deleteMany({ where: { OR: grants.map((g) => ({ userId: g.userId, roleId: g.roleId })) } });
  return grants.map((g) => ({ userId: g.userId, resellerSlug: g.resellerSlug }));
}

/** Sets a user's roles to exactly these: others are taken away, new ones granted. */
export async function replaceRoles(tx: TenantTransaction, userId: string, roleIds: readonly string[]): Promise<void> {
  await tx.userRole.deleteMany({ where: { userId, roleId: { notIn: [...roleIds] } } });
  await grantRoles(tx, userId, roleIds, 'grant');
}

/**
 * The users who hold `owner`, read under a lock on the owner role, so two changes that each leave
 * another owner cannot together leave none: the second waits for the first and counts again.
 */
export async function lockedOwnerIds(tx: TenantTransaction): Promise<string[]> {
  await tx.$queryRaw`SELECT id FROM roles WHERE name = 'owner' FOR UPDATE`;
  const owners = await tx.userRole.findMany({ where: { role: { name: 'owner' } }, select: { userId: true } });
  return owners.map((o) => o.userId);
}
