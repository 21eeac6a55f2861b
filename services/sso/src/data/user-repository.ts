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

/** A user as the tenant's admins list them. */
export interface TenantUserRow {
  id: string;
  email: string;
  displayName: string | null;
  status: 'active' | 'disabled';
  roles: string[];
  createdAt: Date;
  /** When the latest session started (every sign-in starts one). */
  lastSignInAt: Date | null;
}

const TENANT_USER = {
  id: true,
  email: true,
  displayName: true,
  status: true,
  createdAt: true,
  roles: { select: { role: { select: { name: true } } } },
  sessions: { select: { createdAt: true }, orderBy: { createdAt: 'desc' }, take: 1 },
} as const;

function tenantUserOf(user: {
  id: string;
  email: string;
  displayName: string | null;
  status: string;
  createdAt: Date;
  roles: { role: { name: string } }[];
  sessions: { createdAt: Date }[];
}): TenantUserRow {
  return {
    id: user.id,
    email: user.email,
    displayName: user.displayName,
    status: user.status === 'disabled' ? 'disabled' : 'active',
    roles: user.roles.map((r) => r.role.name).sort(),
    createdAt: user.createdAt,
    lastSignInAt: user.sessions[0]?.createdAt ?? null,
  };
}

export async function findTenantUser(tx: TenantTransaction, userId: string): Promise<TenantUserRow | undefined> {
  const user = await tx.user.findUnique({ where: { id: userId }, select: TENANT_USER });
  return user ? tenantUserOf(user) : undefined;
}

/** One page of users, oldest first (ids sort by creation), after `cursor`; `q` matches part of an email or display name. */
export async function listTenantUsers(
  tx: TenantTransaction,
  page: { limit: number; cursor?: string | undefined; q?: string | undefined },
): Promise<{ users: TenantUserRow[]; nextCursor: string | null }> {
  // Prisma's `contains` is a LIKE pattern: the search's own %, _ and \ are escaped to mean themselves.
  const q = page.q?.replace(/[\\%_]/g, (c) => `\\${c}`);
  const rows = await tx.user.findMany({
    where: {
      ...(page.cursor ? { id: { gt: page.cursor } } : {}),
      ...(q ? { OR: [{ email: { contains: q, mode: 'insensitive' } }, { displayName: { contains: q, mode: 'insensitive' } }] } : {}),
    },
    orderBy: { id: 'asc' },
    take: page.limit + 1,
    select: TENANT_USER,
  });
  const users = rows.slice(0, page.limit).map(tenantUserOf);
  return { users, nextCursor: rows.length > page.limit ? (users.at(-1)?.id ?? null) : null };
}

export async function findUserByEmail(tx: TenantTransaction, email: string): Promise<{ id: string; status: string } | undefined> {
  return (await tx.user.findUnique({ where: { email }, select: { id: true, status: true } })) ?? undefined;
}

/** Deletes a user with their roles, identities, sessions and reset tokens; false when there is no such user. */
export async function deleteUser(tx: TenantTransaction, userId: string): Promise<boolean> {
  const { count } = await tx.user.deleteMany({ where: { id: userId } });
  return count === 1;
}
