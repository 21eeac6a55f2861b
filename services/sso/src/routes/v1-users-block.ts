import type { Router } from 'express';
import { principalOf } from '@mindbot/auth';
import { AppError } from '@mindbot/errors';
import { userStatusSchema, type JsonAnswer } from '@mindbot/sdk/schemas';
import { revokeUserSessions, roleNamesOf } from '../data/session-repository.js';
import { requestIdOf, tenantAdmin } from '../http/guards.js';
import { tenantOf } from '../http/tenant-context.js';
import type { Sso } from '../sso.js';

/**
 * POST /v1/users/:userId/block: an admin blocks a user of this tenant. The user can no longer sign
 * in or refresh, and every session ends, so their access tokens are refused everywhere at once.
 * Only an owner may block an owner; nobody may block themselves.
 */
export function v1UsersBlock(router: Router, sso: Sso): void {
  router.post('/v1/users/:userId/block', ...tenantAdmin(sso), async (req, res) => {
    const tenant = tenantOf(res);
    const actor = principalOf(res);
    const userId = String(req.params.userId);
    if (userId === actor.userId) throw new AppError('unprocessable', 'You cannot block yourself.');
    const outcome = await sso.tokens.revoking<number | 'not_found' | 'forbidden'>(tenant.slug, async (tx) => {
      if (!(await tx.user.findUnique({ where: { id: userId }, select: { id: true } }))) return { result: 'not_found', ended: [] };
      if ((await roleNamesOf(tx, userId)).includes('owner') && !actor.roles.includes('owner')) return { result: 'forbidden', ended: [] };
      await tx.user.update({ where: { id: userId }, data: { status: 'disabled', updatedAt: new Date() } });
      const ended = await revokeUserSessions(tx, userId, 'user_blocked');
      return { result: ended.length, ended };
    });
    if (outcome === 'not_found') throw new AppError('not_found', 'No such user.');
    if (outcome === 'forbidden') throw new AppError('forbidden', 'Only an owner may block an owner.');
    await sso.auditor.record(tenant.slug, {
      action: 'user.blocked',
      actorId: actor.userId,
      target: userId,
      data: { sessionsEnded: outcome },
      requestId: requestIdOf(req),
    });
    res.json({ userId, status: 'disabled', sessionsEnded: outcome } satisfies JsonAnswer<typeof userStatusSchema>);
  });
}
