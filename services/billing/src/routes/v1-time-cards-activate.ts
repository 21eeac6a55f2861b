import { principalOf } from '@mindbot/auth';
import { AppError, parseInput } from '@mindbot/errors';
import { timeCardActivateRequestSchema, timeCardActivationSchema, type JsonAnswer } from '@mindbot/sdk/schemas';
import { activateTimeCard } from '../domain/time-cards.js';
import { problem, signIn } from '../http/problem-answers.js';
import type { AppRoute } from '../http/route-context.js';
import { tenantOf } from '../http/tenant-context.js';

const REFUSALS = {
  invalid_code: ['not_found', 'This activation code is not valid.'],
  already_activated: ['conflict', 'This activation code has already been used.'],
  revoked: ['gone', 'This time card was refunded or disputed and can no longer be activated.'],
  code_expired: ['gone', 'This activation code has expired.'],
} as const;

/**
 * POST /v1/time-cards/activate — credits a code's minutes to the signed-in user. Every refused
 * attempt counts towards per-user, per-client-IP and per-tenant limits; past one, attempts get 429
 * with Retry-After until its window ends. Successful activations do not count.
 */
export const v1TimeCardsActivate: AppRoute = {
  spec: {
    method: 'post',
    path: '/v1/time-cards/activate',
    operationId: 'activateTimeCard',
    summary: "Credit a time card's minutes to the signed-in user with its activation code.",
    auth: 'user',
    upstream: 'billing',
    body: timeCardActivateRequestSchema,
    responses: {
      201: { description: 'Activated: the lot credited and when it expires', schema: timeCardActivationSchema },
      401: signIn,
      404: problem('Unknown code'),
      409: problem('Already activated'),
      410: problem('Refunded, disputed or expired'),
      429: problem('Too many wrong codes'),
    },
  },
  mount(router, ctx) {
    router.post('/v1/time-cards/activate', ...ctx.user, async (req, res) => {
      const tenant = tenantOf(res);
      const { userId } = principalOf(res);
      const input = parseInput(timeCardActivateRequestSchema, req.body);
      const attempt = await ctx.activationLimiter.begin({ tenant: tenant.slug, userId, ip: req.ip ?? 'unknown' }, req.log);
      if (attempt.retryAfter > 0) {
        req.log.info({ limit: attempt.limit }, 'activation rate limited');
        const wait = attempt.retryAfter;
        throw new AppError('rate_limited', `Too many wrong activation codes; retry after ${wait} seconds.`, {
          headers: { 'Retry-After': String(wait) },
          extensions: { retryAfter: wait },
        });
      }
      let result;
      try {
        result = await activateTimeCard(ctx.deps.tenants.forTenant(tenant.slug), { userId, code: input.code }, ctx.billing.clock());
      } catch (error) {
        // A fault of ours (database down) says nothing about the code: it must not use up the user's attempts.
        await attempt.release();
        throw error;
      }
      if (!result.ok) {
        req.log.info({ activationCode: input.code, failure: result.failure }, 'activation refused');
        const [problemCode, message] = REFUSALS[result.failure];
        throw new AppError(problemCode, message);
      }
      await attempt.release();
      res.status(201).json(result.value satisfies JsonAnswer<typeof timeCardActivationSchema>);
    });
  },
};
