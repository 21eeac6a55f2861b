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
