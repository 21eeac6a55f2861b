import type { Express } from 'express';
import { principalOf } from '@mindbot/auth';
import { AppError, parseInput } from '@mindbot/errors';
import { timeCardActivateRequestSchema, timeCardActivationSchema, type JsonAnswer } from '@mindbot/sdk/schemas';
import { normaliseActivationCode } from '../domain/activation-code.js';
import { activateTimeCard } from '../domain/time-cards.js';
import type { RouteContext } from '../http/route-context.js';
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
export function v1TimeCardsActivate(app: Express, ctx: RouteContext): void {
  app.post('/v1/time-cards/activate', ...ctx.user, async (req, res) => {
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
    const code = normaliseActivationCode(input.code);
    let result;
    try {
      result =
        code === undefined
          ? ({ ok: false, failure: 'invalid_code' } as const)
          : await activateTimeCard(ctx.deps.tenants.forTenant(tenant.slug), { userId, code }, ctx.billing.clock());
    } catch (error) {
      // A fault of ours (database down) says nothing about the code: it must not use up the user's attempts.
      await attempt.release();
      throw error;
    }
    if (!result.ok) {
      req.log.info({ activationCode: input.code, failure: result.failure }, 'activation refused');
      const [problem, message] = REFUSALS[result.failure];
      throw new AppError(problem, message);
    }
    await attempt.release();
    res.status(201).json(result.value satisfies JsonAnswer<typeof timeCardActivationSchema>);
  });
}
