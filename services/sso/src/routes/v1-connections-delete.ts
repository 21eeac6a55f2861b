import { principalOf } from '@mindbot/auth';
import { AppError } from '@mindbot/errors';
import { requestIdOf } from '../http/guards.js';
import type { AppRoute } from '../http/route-context.js';
import { adminOnly, problem, signIn } from '../http/route-responses.js';
import { tenantOf } from '../http/tenant-context.js';

/** DELETE /v1/sso/connections/:id: its identities go with it; its users stay. */
export const v1ConnectionsDelete: AppRoute = {
  spec: {
    method: 'delete',
    path: '/v1/sso/connections/:id',
    operationId: 'deleteConnection',
    summary: 'Delete a connection: its identities go with it, its users stay.',
    auth: 'admin',
    upstream: 'sso',
    responses: { 204: { description: 'Deleted' }, 401: signIn, 403: adminOnly, 404: problem('No such connection') },
  },
  mount(router, ctx) {
    router.delete('/v1/sso/connections/:id', ...ctx.admin, async (req, res) => {
      const tenant = tenantOf(res);
      const id = String(req.params.id);
      const deleted = await ctx.sso.connectionAdmin.delete(tenant.slug, id, {
        actorId: principalOf(res).userId,
        requestId: requestIdOf(req),
      });
      if (!deleted.ok) throw new AppError('not_found', 'No such connection.');
      res.status(204).end();
    });
  },
};
