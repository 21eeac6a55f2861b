import { principalOf } from '@mindbot/auth';
import { AppError, parseInput } from '@mindbot/errors';
import { invitationCreateRequestSchema, invitationSchema, type JsonAnswer } from '@mindbot/sdk/schemas';
import { requestIdOf } from '../http/guards.js';
import { mailingTenantOf } from '../http/mailing-tenant.js';
import type { AppRoute } from '../http/route-context.js';
import { problem, signIn } from '../http/route-responses.js';
import { unknownRolesProblem } from '../http/role-problems.js';
import { tenantOf } from '../http/tenant-context.js';

/**
 * POST /v1/invitations: an admin invites an email with roles; the mail, in the tenant's name,
 * carries a single-use link `<origin>/console/accept-invite?token=…` valid for 7 days. A new
 * invitation replaces the email's pending one. Only an owner invites an owner.
 */
export const v1InvitationsCreate: AppRoute = {
  spec: {
    method: 'post',
    path: '/v1/invitations',
    operationId: 'createInvitation',
    summary:
      "Invite an email with roles (member unless told): a mail in the tenant's name with a single-use link, <tenant origin>/console/accept-invite?token=…, valid 7 days. Replaces the email's pending invitation. Only an owner invites an owner.",
    auth: 'admin',
    upstream: 'sso',
    body: invitationCreateRequestSchema,
    responses: {
      201: { description: 'Invited: the mail went out', schema: invitationSchema },
      400: problem('Invalid body'),
      401: signIn,
      403: problem('Not an owner or admin of this tenant, or an admin inviting an owner'),
      422: problem('A role the tenant does not have (named in `errors`)'),
      503: problem('The mail could not be sent (no invitation was kept)'),
    },
  },
  mount(router, ctx) {
    router.post('/v1/invitations', ...ctx.admin, async (req, res) => {
      const input = parseInput(invitationCreateRequestSchema, req.body);
      const invited = await ctx.sso.invitations.invite(mailingTenantOf(tenantOf(res)), input, principalOf(res), requestIdOf(req));
      if (!invited.ok) {
        if (invited.failure === 'unknown_roles') throw unknownRolesProblem(invited.detail);
        if (invited.failure === 'owner_only') throw new AppError('forbidden', 'Only an owner may invite an owner.');
        throw new AppError('unavailable', 'The invitation mail could not be sent; try again later.');
      }
      res.status(201).json(invited.value satisfies JsonAnswer<typeof invitationSchema>);
    });
  },
};
