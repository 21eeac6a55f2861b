import { principalOf } from '@mindbot/auth';
import { AppError } from '@mindbot/errors';
import { personalDataExportSchema, type JsonAnswer } from '@mindbot/sdk/schemas';
import { requestIdOf } from '../http/guards.js';
import type { AppRoute } from '../http/route-context.js';
import { problem, signIn } from '../http/route-responses.js';
import { tenantOf } from '../http/tenant-context.js';

/** GET /v1/me/export: the signed-in user downloads everything the tenant holds about them (audited). */
export const v1MeExportGet: AppRoute = {
  spec: {
    method: 'get',
    path: '/v1/me/export',
    operationId: 'exportMyData',
    summary:
      'Everything the platform holds about you in this tenant, as one JSON file: profile, roles, identities, sessions, invitations, purchases, time cards, minutes, voice sessions and what was said in them, notification preferences, and audit entries about you. Audited.',
    auth: 'user',
    upstream: 'sso',
    responses: {
      200: { description: 'The export (a JSON attachment)', schema: personalDataExportSchema },
      401: signIn,
      404: problem('No such user'),
    },
  },
  mount(router, ctx) {
    router.get('/v1/me/export', ctx.signedIn, async (req, res) => {
      const { userId } = principalOf(res);
      const exported = await ctx.sso.personalData.export(tenantOf(res).slug, userId, userId, requestIdOf(req));
      if (!exported.ok) throw new AppError('not_found', 'No such user.');
      res.attachment(`personal-data-${userId}.json`).json(exported.value satisfies JsonAnswer<typeof personalDataExportSchema>);
    });
  },
};
