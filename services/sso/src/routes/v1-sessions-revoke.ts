import { principalOf } from '@mindbot/auth';
import { AppError } from '@mindbot/errors';
import { sessionsRevokedSchema, type JsonAnswer } from '@mindbot/sdk/schemas';
import { requestIdOf } from '../http/guards.js';
import type { AppRoute } from '../http/route-context.js';
import { adminOnly, problem, signIn } from '../http/route-responses.js';
import { tenantOf } from '../http/tenant-context.js';

/** POST /v1/users/:userId/sessions/revoke: an admin ends every session of a user of this tenant (their access tokens are refused everywhere at once). */
export const v1SessionsRevoke: AppRoute = {
  spec: {
    method: 'post',
    path: '/v1/users/:userId/sessions/revoke',
    operationId: 'revokeUserSessions',
    summary: 'End every session of a user of this tenant.',
    auth: 'admin',
    upstream: 'sso',
    responses: {
      200: { description: 'How many sessions ended', schema: sessionsRevokedSchema },
      401: signIn,
      403: adminOnly,
      404: problem('No such user'),
    },
  },
  mount(router, ctx) {
    router.post('/v1/users/:userId/sessions/revoke', ...ctx.admin, async (req, res) => {
      const tenant = tenantOf(res);
      const userId = String(req.params.userId);
      const revoked = await ctx.sso.users.revokeSessions(tenant.slug, userId, {
        actorId: principalOf(res).userId,
        requestId: requestIdOf(req),
      });
      if (!revoked.ok) throw new AppError('not_found', 'No such user.');
      res.json({ sessionsEnded: revoked.value } satisfies JsonAnswer<typeof sessionsRevokedSchema>);
    });
  },
};
