import { AppError, parseInput } from '@mindbot/errors';
import { passwordResetRequestSchema, passwordResetAcceptedSchema, type JsonAnswer } from '@mindbot/sdk/schemas';
import { mailingTenantOf } from '../http/mailing-tenant.js';
import type { AppRoute } from '../http/route-context.js';
import { problem } from '../http/route-responses.js';
import { tenantOf } from '../http/tenant-context.js';

/**
 * POST /v1/auth/password/reset-request: if the account exists, mails a single-use link in the
 * tenant's name, `<origin>/console/reset-password?token=…` (30 minutes), for POST
 * /v1/auth/password/reset; always 202.
 */
export const v1PasswordResetRequest: AppRoute = {
  spec: {
    method: 'post',
    path: '/v1/auth/password/reset-request',
    operationId: 'requestPasswordReset',
    summary: 'Send a single-use reset token if the account exists (always accepted).',
    auth: 'public',
    upstream: 'sso',
    body: passwordResetRequestSchema,
    responses: { 202: { description: 'Accepted', schema: passwordResetAcceptedSchema }, 403: problem('Password sign-in is off') },
  },
  mount(router, ctx) {
    router.post('/v1/auth/password/reset-request', async (req, res) => {
      const tenant = tenantOf(res);
      if (!tenant.passwordLogin) throw new AppError('forbidden', 'Password sign-in is not enabled for this tenant.');
      const input = parseInput(passwordResetRequestSchema, req.body);
      await ctx.sso.passwords.requestReset(mailingTenantOf(tenant), input.email);
      res.status(202).json({ status: 'accepted' } satisfies JsonAnswer<typeof passwordResetAcceptedSchema>);
    });
  },
};
