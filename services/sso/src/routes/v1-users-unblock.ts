import type { Router } from 'express';
import { principalOf } from '@mindbot/auth';
import { AppError } from '@mindbot/errors';
import { userStatusSchema, type JsonAnswer } from '@mindbot/sdk/schemas';
import { requestIdOf, tenantAdmin } from '../http/guards.js';
import { tenantOf } from '../http/tenant-context.js';
import type { Sso } from '../sso.js';

/** POST /v1/users/:userId/unblock: an admin lets a blocked user of this tenant sign in again (their ended sessions stay ended). */
export function v1UsersUnblock(router: Router, sso: Sso): void {
  router.post('/v1/users/:userId/unblock', ...tenantAdmin(sso), async (req, res) => {
    const tenant = tenantOf(res);
    const userId = String(req.params.userId);
    const { count } = await sso.deps.tenants
      .forTenant(tenant.slug)
      .transaction((tx) => tx.user.updateMany({ where: { id: userId }, data: { status: 'active', updatedAt: new Date() } }));
    if (count === 0) throw new AppError('not_found', 'No such user.');
    await sso.auditor.record(tenant.slug, {
      action: 'user.unblocked',
      actorId: principalOf(res).userId,
      target: userId,
      requestId: requestIdOf(req),
    });
    res.json({ userId, status: 'active', sessionsEnded: 0 } satisfies JsonAnswer<typeof userStatusSchema>);
  });
}
