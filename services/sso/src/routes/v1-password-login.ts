import { AppError, parseInput } from '@mindbot/errors';
import { passwordLoginRequestSchema, tokenResponseSchema, type JsonAnswer } from '@mindbot/sdk/schemas';
import { requestIdOf } from '../http/guards.js';
import type { AppRoute } from '../http/route-context.js';
import { problem, tokens } from '../http/route-responses.js';
import { tenantOf } from '../http/tenant-context.js';

/** POST /v1/auth/password/login: one answer for every failure; repeated failures lock the account for a while. */
export const v1PasswordLogin: AppRoute = {
  spec: {
    method: 'post',
    path: '/v1/auth/password/login',
    operationId: 'passwordLogin',
    summary: 'Sign in with email and password.',
    auth: 'public',
    upstream: 'sso',
    body: passwordLoginRequestSchema,
    responses: {
      200: tokens,
      401: problem('Wrong email or password'),
      403: problem('Password sign-in is off'),
      429: problem('Too many failed sign-ins'),
    },
  },
  mount(router, ctx) {
    router.post('/v1/auth/password/login', ctx.loginRateLimit, async (req, res) => {
      const tenant = tenantOf(res);
      if (!tenant.passwordLogin) throw new AppError('forbidden', 'Password sign-in is not enabled for this tenant.');
      const input = parseInput(passwordLoginRequestSchema, req.body);
      const outcome = await ctx.sso.passwords.login(tenant.slug, input, requestIdOf(req));
      if (!outcome.ok) {
        if (outcome.failure === 'locked') throw new AppError('rate_limited', 'Too many failed sign-ins; try again later.');
        throw new AppError('unauthenticated', 'The email or password is wrong.');
      }
      res.set('Cache-Control', 'no-store').json(outcome.value.tokens satisfies JsonAnswer<typeof tokenResponseSchema>);
    });
  },
};
