import type { TenantTransaction } from '@mindbot/db';
import { fail, ok, type Result } from '@mindbot/errors';
import { newId } from '@mindbot/ids';
import type { Connection } from '../data/connection-repository.js';
import { pendingInvitationsOf } from '../data/invitation-repository.js';
import { roleNamesOf } from '../data/session-repository.js';
import { acceptInvitationsOnSignIn } from './invitation-sign-in.js';
import { announceUserCreated } from './user-events.js';

/** What an IdP asserted about a person, after its signature and claims were verified. */
export interface AssertedIdentity {
  issuer: string;
  subject: string;
  email?: string | undefined;
  displayName?: string | undefined;
  groups: string[];
}

/** The user an identity signs in as: found, or just created (`created`), with its roles (mapped from its groups, and granted). */
export interface IdentityUser {
  userId: string;
  created: boolean;
  roles: string[];
  /** The pending invitations of its email this sign-in accepted (their roles are among `roles`). */
  invitations: string[];
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

/**
 * Replaces the roles the IdP's groups gave (source `idp`) with those they give now; roles granted
 * otherwise (an invitation, an admin) stay. Answers every role the user now has.
 */
async function setIdpRoles(tx: TenantTransaction, userId: string, roleNames: readonly string[]): Promise<string[]> {
  const roles = await tx.role.findMany({ where: { name: { in: [...roleNames] } }, select: { id: true, name: true } });
  await tx.userRole.deleteMany({ where: { userId, source: 'idp', roleId: { notIn: roles.map((r) => r.id) } } });
  await tx.userRole.createMany({ data: roles.map((r) => ({ userId, roleId: r.id, source: 'idp' })), skipDuplicates: true });
  return roleNamesOf(tx, userId);
}

/** The IdP's roles, then those of the email's pending invitations, which this sign-in accepts. */
async function signedInRoles(
  tx: TenantTransaction,
  userId: string,
  email: string | undefined,
  roleNames: readonly string[],
): Promise<{ roles: string[]; invitations: string[] }> {
  await setIdpRoles(tx, userId, roleNames);
  const invitations = email ? await acceptInvitationsOnSignIn(tx, userId, email, new Date()) : [];
  return { roles: await roleNamesOf(tx, userId), invitations };
}

/**
 * Users created just in time, at their first SSO sign-in: the user is found by (connection, IdP
 * issuer, IdP subject), never by email; profile, groups and the roles the groups map to are
 * refreshed at every login. A new identity is given a new user only when the tenant allows it
 * (`createUsers`) or the email has a pending invitation; one whose email belongs to an existing
 * user is refused rather than silently linked. The roles of the email's pending invitations are
 * granted (the tenant's IdP vouches for the address) and the invitations marked accepted.
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
    return ok({ userId: existing.userId, created: false, ...(await signedInRoles(tx, existing.userId, email, roleNames)) });
  }
  const invited = email !== undefined && (await pendingInvitationsOf(tx, email, new Date())).length > 0;
  if (!options.createUsers && !invited) return fail('jit_disabled');
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
  const signedIn = await signedInRoles(tx, userId, email, roleNames);
  await announceUserCreated(tx, userId, email);
  return ok({ userId, created: true, ...signedIn });
}
