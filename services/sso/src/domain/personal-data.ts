import { randomBytes } from 'node:crypto';
import type { TenantClients } from '@mindbot/db';
import { fail, ok, type Result } from '@mindbot/errors';
import type { Logger } from '@mindbot/logger';
import { tenantKeyPrefix, type Redis } from '@mindbot/redis';
import { erasePersonalRecords, findPersonalRecords, type PersonalRecords } from '../data/personal-data-repository.js';
import { lockedOwnerIds } from '../data/role-repository.js';
import { revokeUserSessions } from '../data/session-repository.js';
import type { Auditor } from './audit.js';
import type { TokenService } from './token-service.js';
import type { Actor } from './user-admin.js';

/** The export's format name; a reader can tell a later version apart. */
export const PERSONAL_DATA_FORMAT = 'mindbot.personal-data.v1';

export interface PersonalDataExport extends PersonalRecords {
  format: typeof PERSONAL_DATA_FORMAT;
  exportedAt: Date;
  tenant: string;
}

export interface Erasure {
  sessionsEnded: number;
  financialRecordsKept: number;
  redisKeysRemoved: number;
}

export type ErasureFailure = 'not_found' | 'self' | 'owner_only' | 'last_owner' | 'unconfirmed';

/** Who asks: the person themselves (confirming with their email), or an admin of the tenant (confirming with the user's id). */
export type ErasureRequest =
  { by: 'self'; userId: string; confirm: string } | { by: 'admin'; actor: Actor; userId: string; confirm: string };

/**
 * GDPR requests for a tenant's users (docs/adr/0059-gdpr-export-and-erasure.md): an export of
 * everything the tenant's schema holds about a user, and erasure, each audited. Erasure is one
 * transaction over the tenant's schema (sessions revoked, financial records moved to a fresh
 * pseudonym, everything else personal deleted or blanked, the user row deleted), then the ended
 * sessions are announced on the revocation list (access tokens refused everywhere at once) and the
 * tenant's Redis keys naming the user are deleted.
 */
export class PersonalData {
  constructor(
    private readonly tenants: TenantClients,
    private readonly tokens: TokenService,
    private readonly auditor: Auditor,
    private readonly redis: Redis | undefined,
    private readonly logger: Logger,
    private readonly now: () => Date = () => new Date(),
  ) {}

  async export(
    tenant: string,
    actorId: string,
    userId: string,
    requestId: string | undefined,
  ): Promise<Result<PersonalDataExport, 'not_found'>> {
    const records = await this.tenants.forTenant(tenant).transaction(async (tx) => {
      const found = await findPersonalRecords(tx, userId);
      if (found)
        await this.auditor.recordIn(tx, tenant, {
          action: 'user.data_exported',
          actorId,
          target: userId,
          data: { by: actorId === userId ? 'self' : 'admin' },
          requestId,
        });
      return found;
    });
    if (!records) return fail('not_found');
    return ok({ format: PERSONAL_DATA_FORMAT, exportedAt: this.now(), tenant, ...records });
  }

  async erase(tenant: string, request: ErasureRequest, requestId: string | undefined): Promise<Result<Erasure, ErasureFailure>> {
    const { userId } = request;
    if (request.by === 'admin' && request.actor.userId === userId) return fail('self');
    const erased = await this.tokens.revoking<
      Result<{ email: string; sessionsEnded: number; financialRecordsKept: number }, ErasureFailure>
    >(tenant, async (tx) => {
      const refused = (failure: ErasureFailure) => ({ result: fail(failure), ended: [] });
      const user = await tx.user.findUnique({
        where: { id: userId },
        select: { email: true, roles: { select: { role: { select: { name: true } } } } },
      });
      if (!user) return refused('not_found');
      const confirmed = request.by === 'self' ? request.confirm.trim().toLowerCase() === user.email : request.confirm === userId;
      if (!confirmed) return refused('unconfirmed');
      if (user.roles.some((r) => r.role.name === 'owner')) {
        if (request.by === 'admin' && !request.actor.roles.includes('owner')) return refused('owner_only');
        if ((await lockedOwnerIds(tx)).every((id) => id === userId)) return refused('last_owner');
      }
      const ended = await revokeUserSessions(tx, userId, 'user_erased');
      // A fresh random id, written nowhere beside the old one: the kept records lead to no one.
      const pseudonym = `anon_${randomBytes(16).toString('hex')}`;
      const { financialRecordsKept } = await erasePersonalRecords(tx, { id: userId, email: user.email }, pseudonym);
      await this.auditor.recordIn(tx, tenant, {
        action: 'user.erased',
        actorId: request.by === 'self' ? userId : request.actor.userId,
        target: userId,
        data: { by: request.by, sessionsEnded: ended.length, financialRecordsKept },
        requestId,
      });
      return { result: ok({ email: user.email, sessionsEnded: ended.length, financialRecordsKept }), ended };
    });
    if (!erased.ok) return erased;
    const redisKeysRemoved = await this.forgetInRedis(tenant, [userId, erased.value.email]);
    return ok({ sessionsEnded: erased.value.sessionsEnded, financialRecordsKept: erased.value.financialRecordsKept, redisKeysRemoved });
  }

  /**
   * Deletes the tenant's Redis keys whose name or (string) value names the user: sign-in codes,
   * pending logins, per-user counters. The revocation list is platform-wide and holds session ids
   * only; it must keep them until the tokens expire.
   */
  private async forgetInRedis(tenant: string, needles: readonly string[]): Promise<number> {
    const redis = this.redis;
    if (!redis) return 0;
    let removed = 0;
    try {
      let cursor = '0';
      do {
        const [next, keys] = await redis.scan(cursor, 'MATCH', `${escapeGlob(tenantKeyPrefix(tenant))}*`, 'COUNT', 500);
        cursor = next;
        for (const key of keys) {
          const named = needles.some((n) => key.includes(n));
          const value = named ? null : (await redis.type(key)) === 'string' ? await redis.get(key) : null;
          if (named || (value !== null && needles.some((n) => value.includes(n)))) removed += await redis.del(key);
        }
      } while (cursor !== '0');
    } catch (error) {
      // Whatever is left expires on its own (every such key has a TTL); the erasure itself has committed.
      this.logger.warn({ err: error, tenantId: tenant }, 'could not finish removing an erased user’s Redis keys');
    }
    return removed;
  }
}

/** Redis MATCH patterns treat `*?[]\` as special; a tenant prefix holds none but the braces are literal anyway. */
function escapeGlob(text: string): string {
  return text.replace(/[*?[\]\\]/g, (c) => `\\${c}`);
}
