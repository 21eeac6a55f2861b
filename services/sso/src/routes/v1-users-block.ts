import { principalOf } from '@mindbot/auth';
import { AppError } from '@mindbot/errors';
import { userStatusSchema, type JsonAnswer } from '@mindbot/sdk/schemas';
import { requestIdOf } from '../http/guards.js';
import type { AppRoute } from '../http/route-context.js';
import { problem, signIn } from '../http/route-responses.js';
import { tenantOf } from '../http/tenant-context.js';

/**
 * POST /v1/users/:userId/block: an admin blocks a user of this tenant. The user can no longer sign
 * in or refresh, and every session ends, so their access tokens are refused everywhere at once.
 * Only an owner may block an owner; nobody may block themselves.
 */
export const v1UsersBlock: AppRoute = {
  spec: {
    method: 'post',
    path: '/v1/users/:userId/block',
    operationId: 'blockUser',
    summary:
      'Block a user of this tenant: no more sign-ins or refreshes, and every session ends (its access tokens are refused by every service at once). Only an owner may block an owner.',
    auth: 'admin',
    upstream: 'sso',
    responses: {
      200: { description: 'Blocked, and how many sessions ended', schema: userStatusSchema },
      401: signIn,
      403: problem('Not an owner or admin of this tenant, or an admin blocking an owner'),
      404: problem('No such user'),
      422: problem('Blocking yourself'),
    },
  },
  mount(router, ctx) {
    router.post('/v1/users/:userId/block', ...ctx.admin, async (req, res) => {
      const tenant = tenantOf(res);
      const actor = principalOf(res);
      const userId = String(req.params.userId);
      const blocked = await ctx.sso.users.block(tenant.slug, actor, userId, requestIdOf(req));
      if (!blocked.ok) {
        if (blocked.failure === 'self') throw new AppError('unprocessable', 'You cannot block yourself.');
        if (blocked.failure === 'not_found') throw new AppError('not_found', 'No such user.');
        throw new AppError('forbidden', 'Only an owner may block an owner.');
      }
      res.json({ userId, status: 'disabled', sessionsEnded: blocked.value } satisfies JsonAnswer<typeof userStatusSchema>);
    });
  },
};
