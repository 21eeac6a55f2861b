import { principalOf } from '@mindbot/auth';
import { AppError } from '@mindbot/errors';
import { personalDataExportSchema, type JsonAnswer } from '@mindbot/sdk/schemas';
import { requestIdOf } from '../http/guards.js';
import type { AppRoute } from '../http/route-context.js';
import { problem, signIn } from '../http/route-responses.js';
import { tenantOf } from '../http/tenant-context.js';

/** GET /v1/users/:userId/export: an admin answers a user's access request with everything the tenant holds about them (audited). */
export const v1UsersExportGet: AppRoute = {
  spec: {
    method: 'get',
    path: '/v1/users/:userId/export',
    operationId: 'exportUserData',
    summary:
      "Everything the platform holds about a user of this tenant, as one JSON file (a data subject's access request). Audited with the admin who asked.",
    auth: 'admin',
    upstream: 'sso',
    responses: {
      200: { description: 'The export (a JSON attachment)', schema: personalDataExportSchema },
      401: signIn,
      403: problem('Not an owner or admin of this tenant'),
      404: problem('No such user'),
    },
  },
  mount(router, ctx) {
    router.get('/v1/users/:userId/export', ...ctx.admin, async (req, res) => {
      const userId = String(req.params.userId);
      const exported = await ctx.sso.personalData.export(tenantOf(res).slug, principalOf(res).userId, userId, requestIdOf(req));
      if (!exported.ok) throw new AppError('not_found', 'No such user.');
      res.attachment(`personal-data-${userId}.json`).json(exported.value satisfies JsonAnswer<typeof personalDataExportSchema>);
    });
  },
};
