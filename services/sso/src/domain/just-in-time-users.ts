import type { TenantTransaction } from '@mindbot/db';
import { fail, ok, type Result } from '@mindbot/errors';
import { newId } from '@mindbot/ids';
import type { Connection } from '../data/connection-repository.js';

/** What an IdP asserted about a person, after its signature and claims were verified. */
export interface AssertedIdentity {
  issuer: string;
  subject: string;
  email?: string | undefined;
  displayName?: string | undefined;
  groups: string[];
}

/** The user an identity signs in as: found, or just created (`created`), with the roles its groups map to. */
export interface IdentityUser {
  userId: string;
  created: boolean;
  roles: string[];
}

export type JustInTimeFailure = 'jit_disabled' | 'email_missing' | 'email_taken' | 'user_disabled';

/**
 * A unique constraint a just-in-time sign-in transaction broke (Prisma P2002: users.email, or the identity's
 * (connection, issuer, subject)): another first sign-in of the same person committed the row first.
 * Checking before inserting cannot rule this out; the database's constraint decides who was first.
 */
export function isUniqueViolation(error: unknown): boolean {
  return typeof error === 'object' && error !== null && 'code' in error && error.code === 'P2002';
}

const EMAIL = /^[^\s@]{1,64}@[^\s@]{1,253}$/;

/** The tenant roles an identity gets: the connection's defaults plus every rule whose group it has. */
export function mappedRoles(connection: Connection, groups: readonly string[]): string[] {
  const roles = new Set(connection.defaultRoles);
  for (const rule of connection.roleRules) if (groups.includes(rule.group)) roles.add(rule.role);
  return [...roles].sort();
}

async function setRoles(tx: TenantTransaction, userId: string, roleNames: readonly string[]): Promise<string[]> {
  const roles = await tx.role.findMany({ where: { name: { in: [...roleNames] } }, select: { id: true, name: true } });
  await tx.userRole.deleteMany({ where: { userId, roleId: { notIn: roles.map((r) => r.id) } } });
  await tx.userRole.createMany({ data: roles.map((r) => ({ userId, roleId: r.id })), skipDuplicates: true });
  return roles.map((r) => r.name).sort();
}

/**
 * Users created just in time, at their first SSO sign-in: the user is found by (connection, IdP
 * issuer, IdP subject), never by email; profile, groups and roles are refreshed at every login. A
 * new identity is given a new user only when the tenant allows it (`createUsers`); one whose email
 * belongs to an existing user is refused rather than silently linked.
 */
export async function findOrCreateUserJustInTime(
  tx: TenantTransaction,
  connection: Connection,
  asserted: AssertedIdentity,
  options: { createUsers: boolean },
): Promise<Result<IdentityUser, JustInTimeFailure>> {
  const email = asserted.email && EMAIL.test(asserted.email) ? asserted.email.toLowerCase() : undefined;
  const groups = asserted.groups.slice(0, 200).map((g) => g.slice(0, 255));
  const roleNames = mappedRoles(connection, groups);
  const existing = await tx.userIdentity.findUnique({
    where: { connectionId_issuer_subject: { connectionId: connection.id, issuer: asserted.issuer, subject: asserted.subject } },
    include: { user: { select: { status: true } } },
  });
  if (existing) {
    if (existing.user.status !== 'active') return fail('user_disabled');
    await tx.userIdentity.update({
      where: { id: existing.id },
      data: { email: email ?? null, groups, lastLoginAt: new Date(), profile: { displayName: asserted.displayName ?? null } },
    });
    if (asserted.displayName)
      await tx.user.update({ where: { id: existing.userId }, data: { displayName: asserted.displayName, updatedAt: new Date() } });
    return ok({ userId: existing.userId, created: false, roles: await setRoles(tx, existing.userId, roleNames) });
  }
  if (!options.createUsers) return fail('jit_disabled');
  if (!email) return fail('email_missing');
  if (await tx.user.findUnique({ where: { email }, select: { id: true } })) return fail('email_taken');
  const userId = newId('user');
  await tx.user.create({ data: { id: userId, email, displayName: asserted.displayName ?? null } });
  await tx.userIdentity.create({
    data: {
      id: newId('identity'),
      userId,
      connectionId: connection.id,
      issuer: asserted.issuer,
      subject: asserted.subject,
      email,
      groups,
      profile: { displayName: asserted.displayName ?? null },
    },
  });
  return ok({ userId, created: true, roles: await setRoles(tx, userId, roleNames) });
}
