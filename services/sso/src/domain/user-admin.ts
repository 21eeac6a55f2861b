import type { TenantClients } from '@mindbot/db';
import { fail, ok, type Result } from '@mindbot/errors';
import { lockedOwnerIds, replaceRoles, roleIdsByName } from '../data/role-repository.js';
import { revokeUserSessions, roleNamesOf } from '../data/session-repository.js';
import {
  deleteUser,
  findTenantUser,
  findUserProfile,
  listTenantUsers,
  setUserStatus,
  userExists,
  type TenantUserRow,
  type UserProfile,
} from '../data/user-repository.js';
import type { Attribution, Auditor } from './audit.js';
import type { TokenService } from './token-service.js';

/** Who acts: the signed-in admin or owner. */
export interface Actor {
  userId: string;
  roles: readonly string[];
}

/** `unknown_roles` carries the names the tenant has no role for in `detail` (comma-separated). */
export type RoleChangeFailure = 'not_found' | 'unknown_roles' | 'owner_only' | 'last_owner';

/**
 * A tenant's users as the signed-in user and the tenant's admins see them: one's own profile, and
 * listing, role changes, ending sessions, blocking, unblocking and removing. Every session that
 * ends is announced on the revocation list, so its access tokens are refused everywhere at once.
 * Only an owner grants, takes away or acts on `owner`, and the tenant always keeps one owner.
 */
export class UserAdmin {
  constructor(
    private readonly tenants: TenantClients,
    private readonly tokens: TokenService,
    private readonly auditor: Auditor,
  ) {}

  async profile(tenant: string, userId: string): Promise<Result<UserProfile, 'not_found'>> {
    const user = await this.tenants.forTenant(tenant).transaction((tx) => findUserProfile(tx, userId));
    return user ? ok(user) : fail('not_found');
  }

  /** Ends every session of a user; answers how many ended. */
  async revokeSessions(tenant: string, userId: string, by: Attribution): Promise<Result<number, 'not_found'>> {
    const revoked = await this.tokens.revoking<Result<number, 'not_found'>>(tenant, async (tx) => {
      if (!(await userExists(tx, userId))) return { result: fail('not_found'), ended: [] };
      const ended = await revokeUserSessions(tx, userId, 'admin_revocation');
      return { result: ok(ended.length), ended };
    });
    if (revoked.ok)
      await this.auditor.record(tenant, { action: 'session.admin_revoked', ...by, target: userId, data: { sessionsEnded: revoked.value } });
    return revoked;
  }

  /**
   * Blocks a user: no more sign-ins or refreshes, and every session ends; answers how many ended.
   * Only an owner may block an owner; nobody may block themselves.
   */
  async block(
    tenant: string,
    actor: Actor,
    userId: string,
    requestId: string | undefined,
  ): Promise<Result<number, 'self' | 'not_found' | 'owner_only'>> {
    if (userId === actor.userId) return fail('self');
    const blocked = await this.tokens.revoking<Result<number, 'not_found' | 'owner_only'>>(tenant, async (tx) => {
      if (!(await userExists(tx, userId))) return { result: fail('not_found'), ended: [] };
      if ((await roleNamesOf(tx, userId)).includes('owner') && !actor.roles.includes('owner'))
        return { result: fail('owner_only'), ended: [] };
      await setUserStatus(tx, userId, 'disabled');
      const ended = await revokeUserSessions(tx, userId, 'user_blocked');
      return { result: ok(ended.length), ended };
    });
    if (blocked.ok)
      await this.auditor.record(tenant, {
        action: 'user.blocked',
        actorId: actor.userId,
        target: userId,
        data: { sessionsEnded: blocked.value },
        requestId,
      });
    return blocked;
  }

  /** Lets a blocked user sign in again; the sessions that ended stay ended. */
  async unblock(tenant: string, userId: string, by: Attribution): Promise<Result<void, 'not_found'>> {
    const found = await this.tenants.forTenant(tenant).transaction((tx) => setUserStatus(tx, userId, 'active'));
    if (!found) return fail('not_found');
    await this.auditor.record(tenant, { action: 'user.unblocked', ...by, target: userId });
    return ok(undefined);
  }

  async list(tenant: string, page: { limit: number; cursor?: string | undefined; q?: string | undefined }) {
    return this.tenants.forTenant(tenant).transaction((tx) => listTenantUsers(tx, page));
  }

  /**
   * Sets a user's roles to exactly `roles`. Taking a role away ends the user's sessions, so no
   * access token keeps a role its user lost; they sign in again with what they have now.
   */
  async setRoles(
    tenant: string,
    actor: Actor,
    userId: string,
    roles: readonly string[],
    requestId: string | undefined,
  ): Promise<Result<TenantUserRow, RoleChangeFailure>> {
    type Changed = Result<{ user: TenantUserRow; previous: string[]; sessionsEnded: number }, RoleChangeFailure>;
    const changed = await this.tokens.revoking<Changed>(tenant, async (tx) => {
      const refused = (failure: RoleChangeFailure, detail?: string) => ({ result: fail(failure, detail), ended: [] });
      if (!(await userExists(tx, userId))) return refused('not_found');
      const known = await roleIdsByName(tx, roles);
      const unknown = roles.filter((name) => !known.has(name));
      if (unknown.length > 0) return refused('unknown_roles', unknown.join(', '));
      const previous = await roleNamesOf(tx, userId);
      const hadOwner = previous.includes('owner');
      const getsOwner = roles.includes('owner');
      // An owner's roles, like `owner` itself, are an owner's to change.
      if ((hadOwner || getsOwner) && !actor.roles.includes('owner')) return refused('owner_only');
      if (hadOwner && !getsOwner && (await lockedOwnerIds(tx)).every((id) => id === userId)) return refused('last_owner');
      await replaceRoles(tx, userId, [...known.values()]);
      const removed = previous.filter((name) => !roles.includes(name));
      const ended = removed.length > 0 ? await revokeUserSessions(tx, userId, 'roles_changed') : [];
      const user = await findTenantUser(tx, userId);
      if (!user) return refused('not_found');
      return { result: ok({ user, previous, sessionsEnded: ended.length }), ended };
    });
    if (!changed.ok) return changed;
    const { user, previous, sessionsEnded } = changed.value;
    await this.auditor.record(tenant, {
      action: 'user.roles_changed',
      actorId: actor.userId,
      target: userId,
      data: { roles: user.roles, previous, sessionsEnded },
      requestId,
    });
    return ok(user);
  }

  /**
   * Removes a user: every session ends and the account is deleted, so its password no longer signs
   * in (an identity provider that still lets the person in makes a new user, when the tenant
   * creates users just in time: block them, or remove them at the IdP). Not oneself; only an owner
   * removes an owner.
   */
  async remove(
    tenant: string,
    actor: Actor,
    userId: string,
    requestId: string | undefined,
  ): Promise<Result<number, 'self' | 'not_found' | 'owner_only' | 'last_owner'>> {
    if (userId === actor.userId) return fail('self');
    const removed = await this.tokens.revoking<Result<{ email: string; sessionsEnded: number }, 'not_found' | 'owner_only' | 'last_owner'>>(
      tenant,
      async (tx) => {
        const user = await findTenantUser(tx, userId);
        if (!user) return { result: fail('not_found'), ended: [] };
        if (user.roles.includes('owner')) {
          if (!actor.roles.includes('owner')) return { result: fail('owner_only'), ended: [] };
          if ((await lockedOwnerIds(tx)).every((id) => id === userId)) return { result: fail('last_owner'), ended: [] };
        }
        const ended = await revokeUserSessions(tx, userId, 'user_removed');
        await deleteUser(tx, userId);
        return { result: ok({ email: user.email, sessionsEnded: ended.length }), ended };
      },
    );
    if (!removed.ok) return removed;
    await this.auditor.record(tenant, {
      action: 'user.removed',
      actorId: actor.userId,
      target: userId,
      // The user row is gone: the audit entry keeps who it was, outside the hash (erasure blanks it).
      data: { sessionsEnded: removed.value.sessionsEnded },
      personal: { email: removed.value.email },
      requestId,
    });
    return ok(removed.value.sessionsEnded);
  }
}
