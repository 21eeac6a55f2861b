import type { Router } from 'express';
import { AppError, parseInput } from '@mindbot/errors';
import { passwordResetConfirmRequestSchema } from '@mindbot/sdk/schemas';
import { requestIdOf } from '../http/guards.js';
import { tenantOf } from '../http/tenant-context.js';
import type { Sso } from '../sso.js';

/** POST /v1/auth/password/reset: sets the new password with the token; the token works once and every session ends. */
export function v1PasswordResetConfirm(router: Router, sso: Sso): void {
  router.post('/v1/auth/password/reset', async (req, res) => {
    const tenant = tenantOf(res);
    if (!tenant.passwordLogin) throw new AppError('forbidden', 'Password sign-in is not enabled for this tenant.');
    const input = parseInput(passwordResetConfirmRequestSchema, req.body);
    const outcome = await sso.passwords.reset(tenant.slug, input.token, input.password);
    if (!outcome.ok) {
      if (outcome.reason === 'policy')
        throw new AppError('validation_failed', 'The password does not meet the policy.', {
          errors: (outcome.problems ?? []).map((message) => ({ path: 'body.password', message })),
        });
      throw new AppError('bad_request', 'The reset token is invalid or expired.');
    }
    await sso.auditor.record(tenant.slug, { action: 'password.reset', requestId: requestIdOf(req) });
    res.status(204).end();
  });
}
