import type { TenantClients, TenantTransaction } from '@mindbot/db';
import { fail, ok, type Result } from '@mindbot/errors';
import { newId } from '@mindbot/ids';
import type { Logger } from '@mindbot/logger';
import type { Mailer } from '@mindbot/mailer';
import {
  claimInvitation,
  createInvitation,
  openInvitation,
  pendingInvitations,
  pendingInvitationsOf,
  revokeInvitation,
  revokePendingInvitationsOf,
  type InvitationRow,
} from '../data/invitation-repository.js';
import { grantRoles, roleIdsByName } from '../data/role-repository.js';
import { hashToken, newOpaqueToken, roleNamesOf } from '../data/session-repository.js';
import { findUserByEmail } from '../data/user-repository.js';
import type { Attribution, Auditor } from './audit.js';
import { isUniqueViolation } from './just-in-time-users.js';
import { hashPassword, passwordProblems, type WeakPassword } from './passwords.js';
import { invitationMail, type MailingTenant } from './tenant-mail.js';
import type { TokenResponse, TokenService } from './token-service.js';
import type { Actor } from './user-admin.js';
import { announceUserCreated } from './user-events.js';

/** How long an invitation link works. */
export const INVITATION_TTL_MS = 7 * 86_400_000;

export interface InvitationView {
  id: string;
  email: string;
  roles: string[];
  status: 'pending' | 'accepted' | 'revoked';
  expiresAt: Date;
  createdAt: Date;
  invitedBy: string | null;
}

const viewOf = (row: InvitationRow): InvitationView => ({
  ...row,
  status: row.status === 'accepted' || row.status === 'revoked' ? row.status : 'pending',
});

/** `unknown_roles` carries the names the tenant has no role for in `detail` (comma-separated). */
export type InviteFailure = 'unknown_roles' | 'owner_only' | 'mail_failed';
export type AcceptOutcome =
  Result<{ userId: string; tokens: TokenResponse }, 'not_found' | 'password_required' | 'user_disabled' | 'conflict'> | WeakPassword;

/** The ids of the roles named, and the names the tenant has no role for. */
async function resolveRoles(tx: TenantTransaction, wanted: readonly string[]): Promise<{ ids: string[]; unknown: string[] }> {
  const known = await roleIdsByName(tx, wanted);
  return { ids: [...known.values()], unknown: wanted.filter((name) => !known.has(name)) };
}

/**
 * Invitations to a tenant: an admin (or the platform, for the owners a Tenant names) invites an
 * email with roles; the mail carries a single-use link of which only the hash is kept, valid for
 * seven days. Accepting it signs in, as a new account with a password or as the existing user of
 * that email, with the invited roles added. Every change is audited with who made it.
 */
export class Invitations {
  constructor(
    private readonly tenants: TenantClients,
    private readonly tokens: TokenService,
    private readonly mailer: Mailer,
    private readonly auditor: Auditor,
    private readonly logger: Logger,
    private readonly now: () => number = Date.now,
  ) {}

  /**
   * A new invitation replaces the email's pending ones (their links stop working). Only an owner
   * invites an owner; `actor` undefined is the platform. A mail that cannot be sent leaves no
   * invitation behind.
   */
  async invite(
    tenant: MailingTenant,
    input: { email: string; roles: readonly string[] },
    actor: Actor | undefined,
    requestId: string | undefined,
  ): Promise<Result<InvitationView, InviteFailure>> {
    if (actor && input.roles.includes('owner') && !actor.roles.includes('owner')) return fail('owner_only');
    const token = newOpaqueToken('mbi');
    const created = await this.tenants.forTenant(tenant.slug).transaction(async (tx) => {
      const { unknown } = await resolveRoles(tx, input.roles);
      if (unknown.length > 0) return fail('unknown_roles', unknown.join(', '));
      const replaced = await revokePendingInvitationsOf(tx, input.email);
      const row = await createInvitation(tx, {
        id: newId('invitation'),
        email: input.email,
        roles: [...input.roles],
        tokenHash: hashToken(token),
        invitedBy: actor?.userId ?? null,
        expiresAt: new Date(this.now() + INVITATION_TTL_MS),
      });
      return ok({ row, replaced });
    });
    if (!created.ok) return created;
    const { row, replaced } = created.value;
    try {
      await this.mailer.send(await invitationMail(tenant, row, token));
    } catch (error) {
      this.logger.error({ err: error, tenantId: tenant.slug, invitationId: row.id }, 'the invitation mail could not be sent');
      await this.tenants.forTenant(tenant.slug).transaction((tx) => revokeInvitation(tx, row.id));
      return fail('mail_failed');
    }
    await this.auditor.record(tenant.slug, {
      action: 'invitation.created',
      actorId: actor?.userId,
      target: row.id,
      data: { roles: row.roles, replaced, invitedBy: actor ? 'admin' : 'platform' },
      requestId,
    });
    return ok(viewOf(row));
  }

  async pending(tenant: string): Promise<InvitationView[]> {
    const rows = await this.tenants.forTenant(tenant).transaction((tx) => pendingInvitations(tx, new Date(this.now())));
    return rows.map(viewOf);
  }

  async revoke(tenant: string, invitationId: string, by: Attribution): Promise<Result<void, 'not_found'>> {
    const revoked = await this.tenants.forTenant(tenant).transaction((tx) => revokeInvitation(tx, invitationId));
    if (!revoked) return fail('not_found');
    await this.auditor.record(tenant, { action: 'invitation.revoked', ...by, target: invitationId });
    return ok(undefined);
  }

  /** What an invitation link offers, to its holder; unknown, used, revoked and expired tokens are alike `not_found`. */
  async preview(tenant: string, token: string): Promise<Result<InvitationView, 'not_found'>> {
    const row = await this.tenants.forTenant(tenant).transaction((tx) => openInvitation(tx, hashToken(token), new Date(this.now())));
    return row ? ok(viewOf(row)) : fail('not_found');
  }

  /**
   * Uses an invitation once and signs in. A new email needs a password the policy accepts (and
   * becomes an account with the invited roles); for an existing user the emailed token proves the
   * address and the invited roles are added (its password stays as it is).
   */
  async accept(
    tenant: string,
    input: { token: string; password?: string | undefined; displayName?: string | undefined },
    requestId: string | undefined,
  ): Promise<AcceptOutcome> {
    const now = new Date(this.now());
    const db = this.tenants.forTenant(tenant);
    const found = await db.transaction(async (tx) => {
      const invitation = await openInvitation(tx, hashToken(input.token), now);
      return invitation ? { invitation, user: await findUserByEmail(tx, invitation.email) } : undefined;
    });
    if (!found) return fail('not_found');
    const { invitation, user } = found;
    if (user?.status === 'disabled') return fail('user_disabled');
    let passwordHash: string | undefined;
    if (!user) {
      if (input.password === undefined) return fail('password_required');
      const problems = passwordProblems(input.password, invitation.email);
      if (problems.length > 0) return { ok: false, failure: 'policy', problems };
      passwordHash = await hashPassword(input.password);
    }
    const outcome = await db
      .transaction(async (tx): Promise<AcceptOutcome> => {
        const userId = user?.id ?? newId('user');
        if (!user)
          await tx.user.create({
            data: { id: userId, email: invitation.email, displayName: input.displayName ?? null, passwordHash: passwordHash ?? null },
          });
        // The claim decides between two uses of one link at once: the loser's transaction rolls back whole.
        if (!(await claimInvitation(tx, invitation.id, userId, now))) throw new InvitationUsed();
        await grantRoles(tx, userId, [...(await roleIdsByName(tx, invitation.roles)).values()], 'grant');
        if (!user) await announceUserCreated(tx, userId, invitation.email);
        return ok({ userId, tokens: await this.tokens.startSession(tx, tenant, { userId, method: 'password' }) });
      })
      .catch((error: unknown): AcceptOutcome => {
        if (error instanceof InvitationUsed) return fail('not_found');
        // The email became an account between the two transactions (a registration): accepting again adds the roles to it.
        if (isUniqueViolation(error)) return fail('conflict');
        throw error;
      });
    if (outcome.ok)
      await this.auditor.record(tenant, {
        action: 'invitation.accepted',
        actorId: outcome.value.userId,
        target: invitation.id,
        data: { roles: invitation.roles, newUser: !user, method: 'link' },
        requestId,
      });
    return outcome;
  }

  /**
   * The owners a Tenant names, invited by the platform: each email becomes a pending owner
   * invitation unless it already is an owner or has a pending, unexpired invitation, so calling
   * this again (every reconcile does) sends nothing new.
   */
  async inviteOwners(
    tenant: MailingTenant,
    emails: readonly string[],
    requestId: string | undefined,
  ): Promise<Result<{ invited: string[]; skipped: string[] }, 'mail_failed'>> {
    const invited: string[] = [];
    const skipped: string[] = [];
    for (const email of new Set(emails)) {
      const settled = await this.tenants.forTenant(tenant.slug).transaction(async (tx) => {
        const user = await findUserByEmail(tx, email);
        if (user && (await roleNamesOf(tx, user.id)).includes('owner')) return true;
        return (await pendingInvitationsOf(tx, email, new Date(this.now()))).length > 0;
      });
      if (settled) {
        skipped.push(email);
        continue;
      }
      const outcome = await this.invite(tenant, { email, roles: ['owner'] }, undefined, requestId);
      if (!outcome.ok) return fail('mail_failed');
      invited.push(email);
    }
    return ok({ invited, skipped });
  }
}

/** The invitation was used by a concurrent accept between reading and claiming it. */
class InvitationUsed extends Error {}
