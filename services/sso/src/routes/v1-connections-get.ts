import { AppError } from '@mindbot/errors';
import { connectionSchema, type JsonAnswer } from '@mindbot/sdk/schemas';
import { connectionView } from '../domain/connections.js';
import type { AppRoute } from '../http/route-context.js';
import { adminOnly, problem, signIn } from '../http/route-responses.js';
import { tenantOf } from '../http/tenant-context.js';

/** GET /v1/sso/connections/:id */
export const v1ConnectionsGet: AppRoute = {
  spec: {
    method: 'get',
    path: '/v1/sso/connections/:id',
    operationId: 'getConnection',
    summary: 'One connection, with the URLs to give the IdP.',
    auth: 'admin',
    upstream: 'sso',
    responses: {
      200: { description: 'The connection', schema: connectionSchema },
      401: signIn,
      403: adminOnly,
      404: problem('No such connection'),
    },
  },
  mount(router, ctx) {
    router.get('/v1/sso/connections/:id', ...ctx.admin, async (req, res) => {
      const tenant = tenantOf(res);
      const connection = await ctx.sso.connectionAdmin.find(tenant.slug, String(req.params.id));
      if (!connection) throw new AppError('not_found', 'No such connection.');
      res.json(connectionView(connection, tenant.publicOrigin) satisfies JsonAnswer<typeof connectionSchema>);
    });
  },
};
