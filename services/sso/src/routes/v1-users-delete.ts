import { principalOf } from '@mindbot/auth';
import { AppError } from '@mindbot/errors';
import { requestIdOf } from '../http/guards.js';
import type { AppRoute } from '../http/route-context.js';
import { problem, signIn } from '../http/route-responses.js';
import { tenantOf } from '../http/tenant-context.js';

/**
 * DELETE /v1/users/:userId: an admin removes a user. Every session ends (announced on the
 * revocation list) and the account is deleted, so it can no longer sign in. Not oneself; only an
 * owner removes an owner.
 */
export const v1UsersDelete: AppRoute = {
  spec: {
    method: 'delete',
    path: '/v1/users/:userId',
    operationId: 'removeUser',
    summary:
      'Remove a user of this tenant: every session ends at once and the account is deleted, so it can no longer sign in (an IdP that still admits the person makes a new user when just-in-time creation is on: block instead, or remove them at the IdP). Not yourself; only an owner removes an owner.',
    auth: 'admin',
    upstream: 'sso',
    responses: {
      204: { description: 'Removed' },
      401: signIn,
      403: problem('Not an owner or admin of this tenant, or an admin removing an owner'),
      404: problem('No such user'),
      409: problem('The last owner'),
      422: problem('Removing yourself'),
    },
  },
  mount(router, ctx) {
    router.delete('/v1/users/:userId', ...ctx.admin, async (req, res) => {
      const removed = await ctx.sso.users.remove(tenantOf(res).slug, principalOf(res), String(req.params.userId), requestIdOf(req));
      if (!removed.ok) {
        if (removed.failure === 'self') throw new AppError('unprocessable', 'You cannot remove yourself.');
        if (removed.failure === 'not_found') throw new AppError('not_found', 'No such user.');
        if (removed.failure === 'owner_only') throw new AppError('forbidden', 'Only an owner may remove an owner.');
        throw new AppError('conflict', 'The last owner cannot be removed.');
      }
      res.status(204).end();
    });
  },
};
