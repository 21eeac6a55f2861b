import { principalOf } from '@mindbot/auth';
import { AppError } from '@mindbot/errors';
import { userStatusSchema, type JsonAnswer } from '@mindbot/sdk/schemas';
import { requestIdOf } from '../http/guards.js';
import type { AppRoute } from '../http/route-context.js';
import { adminOnly, problem, signIn } from '../http/route-responses.js';
import { tenantOf } from '../http/tenant-context.js';

/** POST /v1/users/:userId/unblock: an admin lets a blocked user of this tenant sign in again (their ended sessions stay ended). */
export const v1UsersUnblock: AppRoute = {
  spec: {
    method: 'post',
    path: '/v1/users/:userId/unblock',
    operationId: 'unblockUser',
    summary: 'Let a blocked user of this tenant sign in again (the sessions that ended stay ended).',
    auth: 'admin',
    upstream: 'sso',
    responses: {
      200: { description: 'Active again', schema: userStatusSchema },
      401: signIn,
      403: adminOnly,
      404: problem('No such user'),
    },
  },
  mount(router, ctx) {
    router.post('/v1/users/:userId/unblock', ...ctx.admin, async (req, res) => {
      const tenant = tenantOf(res);
      const userId = String(req.params.userId);
      const unblocked = await ctx.sso.users.unblock(tenant.slug, userId, { actorId: principalOf(res).userId, requestId: requestIdOf(req) });
      if (!unblocked.ok) throw new AppError('not_found', 'No such user.');
      res.json({ userId, status: 'active', sessionsEnded: 0 } satisfies JsonAnswer<typeof userStatusSchema>);
    });
  },
};
