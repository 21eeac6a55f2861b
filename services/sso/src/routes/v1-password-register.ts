import { AppError, parseInput } from '@mindbot/errors';
import { passwordRegisterRequestSchema, tokenResponseSchema, type JsonAnswer } from '@mindbot/sdk/schemas';
import { requestIdOf } from '../http/guards.js';
import type { AppRoute } from '../http/route-context.js';
import { problem, tokens } from '../http/route-responses.js';
import { tenantOf } from '../http/tenant-context.js';

/** POST /v1/auth/password/register: a member account with a password, when the tenant allows password login. */
export const v1PasswordRegister: AppRoute = {
  spec: {
    method: 'post',
    path: '/v1/auth/password/register',
    operationId: 'registerWithPassword',
    summary: 'A member account with a password, when the tenant allows password sign-in.',
    auth: 'public',
    upstream: 'sso',
    body: passwordRegisterRequestSchema,
    responses: {
      201: tokens,
      400: problem('Invalid input or weak password'),
      403: problem('Password sign-in is off'),
      409: problem('The email is taken'),
    },
  },
  mount(router, ctx) {
    router.post('/v1/auth/password/register', async (req, res) => {
      const tenant = tenantOf(res);
      if (!tenant.passwordLogin) throw new AppError('forbidden', 'Password sign-in is not enabled for this tenant.');
      const input = parseInput(passwordRegisterRequestSchema, req.body);
      const outcome = await ctx.sso.passwords.register(tenant.slug, input, requestIdOf(req));
      if (!outcome.ok) {
        if (outcome.failure === 'policy')
          throw new AppError('validation_failed', 'The password does not meet the policy.', {
            errors: outcome.problems.map((message) => ({ path: 'body.password', message })),
          });
        throw new AppError('conflict', 'An account with this email already exists.');
      }
      res
        .status(201)
        .set('Cache-Control', 'no-store')
        .json(outcome.value.tokens satisfies JsonAnswer<typeof tokenResponseSchema>);
    });
  },
};
