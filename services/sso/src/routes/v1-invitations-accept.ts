import { AppError, parseInput } from '@mindbot/errors';
import { invitationAcceptRequestSchema, tokenResponseSchema, type JsonAnswer } from '@mindbot/sdk/schemas';
import { requestIdOf } from '../http/guards.js';
import type { AppRoute } from '../http/route-context.js';
import { problem, tokens } from '../http/route-responses.js';
import { tenantOf } from '../http/tenant-context.js';

/**
 * POST /v1/invitations/accept: uses an invitation link once and signs in. A new email needs a
 * password (the policy applies); an existing user proves the address with the link and gets the
 * invited roles added.
 */
export const v1InvitationsAccept: AppRoute = {
  spec: {
    method: 'post',
    path: '/v1/invitations/accept',
    operationId: 'acceptInvitation',
    summary:
      'Accept an invitation and sign in (the tokens of a password sign-in). A new email needs a password the policy accepts; an existing user gets the invited roles added. The link works once.',
    auth: 'public',
    upstream: 'sso',
    body: invitationAcceptRequestSchema,
    responses: {
      200: tokens,
      400: problem('Invalid body'),
      403: problem('The account of this email is blocked'),
      404: problem('No such open invitation (unknown, used, revoked or expired)'),
      409: problem('The account was created meanwhile: accept again'),
      422: problem('A new account needs a password the policy accepts (the problems in `errors`)'),
      429: problem('Too many attempts'),
    },
  },
  mount(router, ctx) {
    router.post('/v1/invitations/accept', ctx.loginRateLimit, async (req, res) => {
      const input = parseInput(invitationAcceptRequestSchema, req.body);
      const outcome = await ctx.sso.invitations.accept(tenantOf(res).slug, input, requestIdOf(req));
      if (!outcome.ok) {
        if (outcome.failure === 'policy')
          throw new AppError('unprocessable', 'The password does not meet the policy.', {
            errors: outcome.problems.map((message) => ({ path: 'body.password', message })),
          });
        if (outcome.failure === 'password_required')
          throw new AppError('unprocessable', 'A new account needs a password.', {
            errors: [{ path: 'body.password', message: 'is required for a new account' }],
          });
        if (outcome.failure === 'user_disabled') throw new AppError('forbidden', 'The account of this email is blocked.');
        if (outcome.failure === 'conflict')
          throw new AppError('conflict', 'The account was created meanwhile; accept the invitation again.');
        throw new AppError('not_found', 'This invitation link is unknown, used, revoked or expired.');
      }
      res.set('Cache-Control', 'no-store').json(outcome.value.tokens satisfies JsonAnswer<typeof tokenResponseSchema>);
    });
  },
};
