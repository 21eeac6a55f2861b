import { principalOf } from '@mindbot/auth';
import { AppError, parseInput } from '@mindbot/errors';
import { connectionUpdateRequestSchema, connectionSchema, type JsonAnswer } from '@mindbot/sdk/schemas';
import { connectionView } from '../domain/connections.js';
import { requestIdOf } from '../http/guards.js';
import type { AppRoute } from '../http/route-context.js';
import { adminOnly, problem, signIn } from '../http/route-responses.js';
import { tenantOf } from '../http/tenant-context.js';

/** PATCH /v1/sso/connections/:id: rename, enable/disable, change settings, rotate secrets, change role rules. */
export const v1ConnectionsUpdate: AppRoute = {
  spec: {
    method: 'patch',
    path: '/v1/sso/connections/:id',
    operationId: 'updateConnection',
    summary: 'Rename, enable or disable, change settings, rotate secrets, change role rules.',
    auth: 'admin',
    upstream: 'sso',
    body: connectionUpdateRequestSchema,
    responses: {
      200: { description: 'The connection', schema: connectionSchema },
      400: problem('Invalid change'),
      401: signIn,
      403: adminOnly,
      404: problem('No such connection'),
    },
  },
  mount(router, ctx) {
    router.patch('/v1/sso/connections/:id', ...ctx.admin, async (req, res) => {
      const tenant = tenantOf(res);
      const input = parseInput(connectionUpdateRequestSchema, req.body);
      const outcome = await ctx.sso.connectionAdmin.update(tenant.slug, String(req.params.id), input, {
        actorId: principalOf(res).userId,
        requestId: requestIdOf(req),
      });
      if (!outcome.ok) {
        if (outcome.failure === 'not_found') throw new AppError('not_found', 'No such connection.');
        throw new AppError('validation_failed', 'The connection is invalid.', { errors: outcome.problems });
      }
      const connection = outcome.value;
      res.json(connectionView(connection, tenant.publicOrigin) satisfies JsonAnswer<typeof connectionSchema>);
    });
  },
};
