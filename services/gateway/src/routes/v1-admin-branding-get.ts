import { brandingSettingsViewSchema, problemSchema, type JsonAnswer } from '@mindbot/sdk/schemas';
import { AppError } from '@mindbot/errors';
import { ADMIN_ROLES, requireUser } from '../http/authenticate.js';
import type { AppRoute } from '../http/route-context.js';
import { tenantOf } from '../http/tenant-resolution.js';

/** GET /v1/admin/branding — the tenant's branding and default persona in effect, and who decides each setting. */
export const v1AdminBrandingGet: AppRoute = {
  spec: {
    method: 'get',
    path: '/v1/admin/branding',
    operationId: 'getBrandingSettings',
    summary: "The tenant's branding and default persona, each setting marked as the manifest's, the console's or the default.",
    auth: 'admin',
    responses: {
      200: { description: 'The settings and who decides each', schema: brandingSettingsViewSchema },
      401: { description: 'Not signed in', schema: problemSchema },
      403: { description: 'Not an admin of this tenant', schema: problemSchema },
    },
  },
  mount(router, ctx) {
    router.get('/v1/admin/branding', requireUser(...ADMIN_ROLES), async (_req, res) => {
      const view = await ctx.gateway.brandingEdits.view(tenantOf(res).slug);
      if (!view.ok) throw new AppError('not_found', 'No such tenant is served here.');
      res.set('Cache-Control', 'no-store').json(view.value satisfies JsonAnswer<typeof brandingSettingsViewSchema>);
    });
  },
};
