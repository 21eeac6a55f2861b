import type { TenantTransaction } from '@mindbot/db';

/** A user as the signed-in user sees themselves: roles by name, identities by connection. */
export interface UserProfile {
  id: string;
  email: string;
  displayName: string | null;
  roles: string[];
  identities: { connectionId: string; groups: string[] }[];
}

export async function findUserProfile(tx: TenantTransaction, userId: string): Promise<UserProfile | undefined> {
  const user = await tx.user.findUnique({
    where: { id: userId },
    select: {
      id: true,
      email: true,
      displayName: true,
      roles: { select: { role: { select: { name: true } } } },
      identities: { select: { connectionId: true, groups: true } },
    },
  });
  if (!user) return undefined;
  return { ...user, roles: user.roles.map((r) => r.role.name).sort() };
}

export async function userExists(tx: TenantTransaction, userId: string): Promise<boolean> {
  return (await tx.user.findUnique({ where: { id: userId }, select: { id: true } })) !== null;
}

export async function isActiveUser(tx: TenantTransaction, userId: string): Promise<boolean> {
  const user = await tx.user.findUnique({ where: { id: userId }, select: { status: true } });
  return user?.status === 'active';
}

/** Sets a user's status; false when there is no such user. */
export async function setUserStatus(tx: TenantTransaction, userId: string, status: 'active' | 'disabled'): Promise<boolean> {
  const { count } = await tx.user.updateMany({ where: { id: userId }, data: { status, updatedAt: new Date() } });
  return count > 0;
}
