import { problemSchema } from '@mindbot/sdk/schemas';
import { AppError } from '@mindbot/errors';
import { isId } from '@mindbot/ids';
import { ADMIN_ROLES, callerOf, requireUser } from '../http/authenticate.js';
import type { AppRoute } from '../http/route-context.js';
import { tenantOf } from '../http/tenant-resolution.js';

/** DELETE /v1/api-keys/:id — revokes at once on every gateway (NOTIFY); idempotent. Another tenant's key is a 404. */
export const v1ApiKeysRevoke: AppRoute = {
  spec: {
    method: 'delete',
    path: '/v1/api-keys/:id',
    operationId: 'revokeApiKey',
    summary: 'Revoke an API key.',
    auth: 'admin',
    responses: {
      204: { description: 'Revoked (or already revoked)' },
      401: { description: 'Not signed in', schema: problemSchema },
      403: { description: 'Not an admin of this tenant', schema: problemSchema },
      404: { description: 'No such key in this tenant', schema: problemSchema },
    },
  },
  mount(router, ctx) {
    router.delete('/v1/api-keys/:id', requireUser(...ADMIN_ROLES), async (req, res) => {
      const id = req.params.id;
      const found =
        typeof id === 'string' &&
        isId('apiKey', id) &&
        (await ctx.gateway.apiKeys.revoke(tenantOf(res).slug, id, callerOf(res)?.id ?? 'unknown'));
      if (!found) throw new AppError('not_found', 'No such API key.');
      res.status(204).end();
    });
  },
};
