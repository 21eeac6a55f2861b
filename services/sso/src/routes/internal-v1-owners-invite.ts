import { AppError, parseInput } from '@mindbot/errors';
import { ownersInvitedSchema, ownersInviteRequestSchema, type JsonAnswer } from '@mindbot/sdk/schemas';
import { requestIdOf } from '../http/guards.js';
import { platformMailingTenantOf } from '../http/mailing-tenant.js';
import type { AppRoute } from '../http/route-context.js';
import { problem } from '../http/route-responses.js';

/**
 * POST /internal/v1/tenants/:tenant/owners/invite: provisioning invites the owners a Tenant names.
 * Idempotent (every reconcile calls it): an email that already is an owner, or has a pending
 * invitation, is skipped.
 */
export const internalV1OwnersInvite: AppRoute = {
  spec: {
    method: 'post',
    path: '/internal/v1/tenants/:tenant/owners/invite',
    operationId: 'inviteTenantOwners',
    summary:
      'Invite each email as an owner of the tenant unless it already is one or has a pending invitation (the owners a Tenant names; called on every reconcile).',
    auth: 'service',
    body: ownersInviteRequestSchema,
    responses: {
      200: { description: 'Who was invited now, and who was skipped', schema: ownersInvitedSchema },
      400: problem('Invalid body'),
      401: problem('No valid service credential'),
      404: problem('No such tenant'),
      503: problem('A mail could not be sent (call again: those invited stay invited)'),
    },
  },
  mount(router, ctx) {
    router.post('/internal/v1/tenants/:tenant/owners/invite', ...ctx.service, async (req, res) => {
      const tenant = await ctx.deps.registry.servedBySlug(String(req.params.tenant));
      req.log = req.log.child({ tenantId: tenant.slug });
      const input = parseInput(ownersInviteRequestSchema, req.body);
      const outcome = await ctx.sso.invitations.inviteOwners(
        platformMailingTenantOf(tenant, ctx.sso.config),
        input.emails,
        requestIdOf(req),
      );
      if (!outcome.ok) throw new AppError('unavailable', 'An invitation mail could not be sent; call again.');
      res.json(outcome.value satisfies JsonAnswer<typeof ownersInvitedSchema>);
    });
  },
};
