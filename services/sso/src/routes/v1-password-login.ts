import type { Router } from 'express';
import { AppError, parseInput } from '@mindbot/errors';
import { passwordLoginRequestSchema, tokenResponseSchema, type JsonAnswer } from '@mindbot/sdk/schemas';
import { requestIdOf } from '../http/guards.js';
import { loginRateLimit } from '../http/login-rate-limit.js';
import { tenantOf } from '../http/tenant-context.js';
import type { Sso } from '../sso.js';

/** POST /v1/auth/password/login: one answer for every failure; repeated failures lock the account for a while. */
export function v1PasswordLogin(router: Router, sso: Sso): void {
  router.post('/v1/auth/password/login', loginRateLimit(sso), async (req, res) => {
    const tenant = tenantOf(res);
    if (!tenant.passwordLogin) throw new AppError('forbidden', 'Password sign-in is not enabled for this tenant.');
    const input = parseInput(passwordLoginRequestSchema, req.body);
    const outcome = await sso.passwords.login(tenant.slug, input);
    if (!outcome.ok) {
      await sso.auditor.record(tenant.slug, {
        action: 'password.login_refused',
        data: { reason: outcome.reason },
        requestId: requestIdOf(req),
      });
      if (outcome.reason === 'locked') throw new AppError('rate_limited', 'Too many failed sign-ins; try again later.');
      throw new AppError('unauthenticated', 'The email or password is wrong.');
    }
    await sso.auditor.record(tenant.slug, { action: 'password.login_succeeded', actorId: outcome.userId, requestId: requestIdOf(req) });
    res.set('Cache-Control', 'no-store').json(outcome.tokens satisfies JsonAnswer<typeof tokenResponseSchema>);
  });
}
