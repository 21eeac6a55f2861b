import { brandingSettingsPatchSchema, brandingSettingsViewSchema, problemSchema, type JsonAnswer } from '@mindbot/sdk/schemas';
import { AppError, parseInput } from '@mindbot/errors';
import { MANIFEST_FIELD_OF } from '@mindbot/tenancy';
import { ADMIN_ROLES, callerOf, requireUser } from '../http/authenticate.js';
import type { AppRoute } from '../http/route-context.js';
import { tenantOf } from '../http/tenant-resolution.js';

/**
 * PATCH /v1/admin/branding — a tenant admin changes branding or default-persona settings the Tenant
 * manifest leaves out (null clears one back to the default). The widget and the next voice call get
 * the change within seconds. A setting the manifest sets is refused with 409 naming it, and nothing
 * of the request is saved.
 */
export const v1AdminBrandingUpdate: AppRoute = {
  spec: {
    method: 'patch',
    path: '/v1/admin/branding',
    operationId: 'updateBrandingSettings',
    summary: "Change the tenant's branding and default persona (the settings its Tenant manifest leaves out).",
    auth: 'admin',
    body: brandingSettingsPatchSchema,
    responses: {
      200: { description: 'The settings now in effect', schema: brandingSettingsViewSchema },
      400: { description: 'Invalid input', schema: problemSchema },
      401: { description: 'Not signed in', schema: problemSchema },
      403: { description: 'Not an admin of this tenant', schema: problemSchema },
      409: { description: 'A setting the Tenant manifest manages (named in `fields`)', schema: problemSchema },
    },
  },
  mount(router, ctx) {
    router.patch('/v1/admin/branding', requireUser(...ADMIN_ROLES), async (req, res) => {
      const patch = parseInput(brandingSettingsPatchSchema, req.body);
      const caller = callerOf(res);
      if (caller?.kind !== 'user') throw new AppError('unauthenticated', 'Sign in: a Bearer access token is required.');
      const saved = await ctx.gateway.brandingEdits.save(tenantOf(res).slug, patch, {
        userId: caller.principal.userId,
        sessionId: caller.principal.sessionId,
      });
      if (!saved.ok) {
        switch (saved.failure) {
          case 'managed_by_manifest':
            throw new AppError(
              'conflict',
              `The Tenant manifest sets ${saved.fields.join(', ')}: change ${saved.fields.length === 1 ? 'it' : 'them'} there, or leave ${saved.fields.length === 1 ? 'it' : 'them'} out of the manifest to edit here. Nothing was changed.`,
              {
                extensions: { reason: 'managed_by_manifest', fields: saved.fields },
                errors: saved.fields.map((field) => ({
                  path: `body.${field}`,
                  message: `is set by the Tenant manifest (${MANIFEST_FIELD_OF[field]})`,
                })),
              },
            );
          case 'insecure_logo':
            throw new AppError('validation_failed', 'The request body is invalid.', {
              errors: [{ path: 'body.logoUrl', message: 'must be an https URL' }],
            });
          case 'not_found':
            throw new AppError('not_found', 'No such tenant is served here.');
        }
      }
      res.set('Cache-Control', 'no-store').json(saved.value satisfies JsonAnswer<typeof brandingSettingsViewSchema>);
    });
  },
};
