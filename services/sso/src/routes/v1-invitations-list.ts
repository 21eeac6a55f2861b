import { invitationListSchema, type JsonAnswer } from '@mindbot/sdk/schemas';
import type { AppRoute } from '../http/route-context.js';
import { adminOnly, signIn } from '../http/route-responses.js';
import { tenantOf } from '../http/tenant-context.js';

/** GET /v1/invitations: the pending, unexpired invitations, newest first. */
export const v1InvitationsList: AppRoute = {
  spec: {
    method: 'get',
    path: '/v1/invitations',
    operationId: 'listInvitations',
    summary: 'The pending, unexpired invitations of this tenant, newest first.',
    auth: 'admin',
    upstream: 'sso',
    responses: { 200: { description: 'Pending invitations', schema: invitationListSchema }, 401: signIn, 403: adminOnly },
  },
  mount(router, ctx) {
    router.get('/v1/invitations', ...ctx.admin, async (_req, res) => {
      const invitations = await ctx.sso.invitations.pending(tenantOf(res).slug);
      res.json({ invitations } satisfies JsonAnswer<typeof invitationListSchema>);
    });
  },
};
