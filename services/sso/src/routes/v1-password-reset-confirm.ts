import { AppError, parseInput } from '@mindbot/errors';
import { passwordResetConfirmRequestSchema } from '@mindbot/sdk/schemas';
import { requestIdOf } from '../http/guards.js';
import type { AppRoute } from '../http/route-context.js';
import { problem } from '../http/route-responses.js';
import { tenantOf } from '../http/tenant-context.js';

/** POST /v1/auth/password/reset: sets the new password with the token; the token works once and every session ends. */
export const v1PasswordResetConfirm: AppRoute = {
  spec: {
    method: 'post',
    path: '/v1/auth/password/reset',
    operationId: 'resetPassword',
    summary: 'Set a new password with a reset token; every session of the user ends.',
    auth: 'public',
    upstream: 'sso',
    body: passwordResetConfirmRequestSchema,
    responses: {
      204: { description: 'Changed' },
      400: problem('Invalid or expired token, or weak password'),
      403: problem('Password sign-in is off'),
    },
  },
  mount(router, ctx) {
    router.post('/v1/auth/password/reset', async (req, res) => {
      const tenant = tenantOf(res);
      if (!tenant.passwordLogin) throw new AppError('forbidden', 'Password sign-in is not enabled for this tenant.');
      const input = parseInput(passwordResetConfirmRequestSchema, req.body);
      const outcome = await ctx.sso.passwords.reset(tenant.slug, input.token, input.password, requestIdOf(req));
      if (!outcome.ok) {
        if (outcome.failure === 'policy')
          throw new AppError('validation_failed', 'The password does not meet the policy.', {
            errors: outcome.problems.map((message) => ({ path: 'body.password', message })),
          });
        throw new AppError('bad_request', 'The reset token is invalid or expired.');
      }
      res.status(204).end();
    });
  },
};
