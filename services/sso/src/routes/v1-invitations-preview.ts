import { AppError, parseInput } from '@mindbot/errors';
import { invitationPreviewRequestSchema, invitationPreviewSchema, type JsonAnswer } from '@mindbot/sdk/schemas';
import type { AppRoute } from '../http/route-context.js';
import { problem } from '../http/route-responses.js';
import { tenantOf } from '../http/tenant-context.js';

/** POST /v1/invitations/preview: what an invitation link offers, for the page that accepts it (the token is in the body, not a URL). */
export const v1InvitationsPreview: AppRoute = {
  spec: {
    method: 'post',
    path: '/v1/invitations/preview',
    operationId: 'previewInvitation',
    summary:
      "What an invitation link offers: the email, the roles, the tenant's name and until when. Unknown, used, revoked and expired links are alike 404.",
    auth: 'public',
    upstream: 'sso',
    body: invitationPreviewRequestSchema,
    responses: {
      200: { description: 'The invitation', schema: invitationPreviewSchema },
      400: problem('Invalid body'),
      404: problem('No such open invitation'),
      429: problem('Too many attempts'),
    },
  },
  mount(router, ctx) {
    router.post('/v1/invitations/preview', ctx.loginRateLimit, async (req, res) => {
      const tenant = tenantOf(res);
      const input = parseInput(invitationPreviewRequestSchema, req.body);
      const found = await ctx.sso.invitations.preview(tenant.slug, input.token);
      if (!found.ok) throw new AppError('not_found', 'This invitation link is unknown, used, revoked or expired.');
      const { email, roles, expiresAt } = found.value;
      res
        .set('Cache-Control', 'no-store')
        .json({ email, roles, expiresAt, tenantName: tenant.displayName } satisfies JsonAnswer<typeof invitationPreviewSchema>);
    });
  },
};
