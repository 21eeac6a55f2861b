import type { TenantClients } from '@mindbot/db';
import { fail, ok, type Result } from '@mindbot/errors';
import { revokeUserSessions, roleNamesOf } from '../data/session-repository.js';
import { findUserProfile, setUserStatus, userExists, type UserProfile } from '../data/user-repository.js';
import type { Attribution, Auditor } from './audit.js';
import type { TokenService } from './token-service.js';

/** Who acts: the signed-in admin or owner. */
export interface Actor {
  userId: string;
  roles: readonly string[];
}

/**
 * A tenant's users as the signed-in user and the tenant's admins see them: one's own profile, and
 * ending sessions, blocking and unblocking. Every session that ends is announced on the revocation
 * list, so its access tokens are refused everywhere at once.
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
}
