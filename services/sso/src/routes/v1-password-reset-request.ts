import type { Router } from 'express';
import { AppError, parseInput } from '@mindbot/errors';
import { passwordResetRequestSchema, passwordResetAcceptedSchema, type JsonAnswer } from '@mindbot/sdk/schemas';
import { tenantOf } from '../http/tenant-context.js';
import type { Sso } from '../sso.js';

/** POST /v1/auth/password/reset-request: sends a single-use reset token if the account exists; always 202. */
export function v1PasswordResetRequest(router: Router, sso: Sso): void {
  router.post('/v1/auth/password/reset-request', async (req, res) => {
    const tenant = tenantOf(res);
    if (!tenant.passwordLogin) throw new AppError('forbidden', 'Password sign-in is not enabled for this tenant.');
    const input = parseInput(passwordResetRequestSchema, req.body);
    await sso.passwords.requestReset(tenant.slug, input.email);
    res.status(202).json({ status: 'accepted' } satisfies JsonAnswer<typeof passwordResetAcceptedSchema>);
  });
}
