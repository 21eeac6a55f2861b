import type { Router } from 'express';
import { AppError, parseInput } from '@mindbot/errors';
import { passwordRegisterRequestSchema, tokenResponseSchema, type JsonAnswer } from '@mindbot/sdk/schemas';
import { requestIdOf } from '../http/guards.js';
import { tenantOf } from '../http/tenant-context.js';
import type { Sso } from '../sso.js';

/** POST /v1/auth/password/register: a member account with a password, when the tenant allows password login. */
export function v1PasswordRegister(router: Router, sso: Sso): void {
  router.post('/v1/auth/password/register', async (req, res) => {
    const tenant = tenantOf(res);
    if (!tenant.passwordLogin) throw new AppError('forbidden', 'Password sign-in is not enabled for this tenant.');
    const input = parseInput(passwordRegisterRequestSchema, req.body);
    const outcome = await sso.passwords.register(tenant.slug, input);
    if (!outcome.ok) {
      if (outcome.reason === 'policy')
        throw new AppError('validation_failed', 'The password does not meet the policy.', {
          errors: (outcome.problems ?? []).map((message) => ({ path: 'body.password', message })),
        });
      throw new AppError('conflict', 'An account with this email already exists.');
    }
    await sso.auditor.record(tenant.slug, { action: 'password.registered', actorId: outcome.userId, requestId: requestIdOf(req) });
    res
      .status(201)
      .set('Cache-Control', 'no-store')
      .json(outcome.tokens satisfies JsonAnswer<typeof tokenResponseSchema>);
  });
}
