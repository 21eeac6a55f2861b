import { principalOf } from '@mindbot/auth';
import { AppError } from '@mindbot/errors';
import { requestIdOf } from '../http/guards.js';
import type { AppRoute } from '../http/route-context.js';
import { adminOnly, problem, signIn } from '../http/route-responses.js';
import { tenantOf } from '../http/tenant-context.js';

/** DELETE /v1/invitations/:invitationId: an admin revokes a pending invitation; its link stops working. */
export const v1InvitationsDelete: AppRoute = {
  spec: {
    method: 'delete',
    path: '/v1/invitations/:invitationId',
    operationId: 'revokeInvitation',
    summary: 'Revoke a pending invitation: its link stops working.',
    auth: 'admin',
    upstream: 'sso',
    responses: { 204: { description: 'Revoked' }, 401: signIn, 403: adminOnly, 404: problem('No such pending invitation') },
  },
  mount(router, ctx) {
    router.delete('/v1/invitations/:invitationId', ...ctx.admin, async (req, res) => {
      const revoked = await ctx.sso.invitations.revoke(tenantOf(res).slug, String(req.params.invitationId), {
        actorId: principalOf(res).userId,
        requestId: requestIdOf(req),
      });
      if (!revoked.ok) throw new AppError('not_found', 'No such pending invitation.');
      res.status(204).end();
    });
  },
};
