import type { Express } from 'express';
import { principalOf } from '@mindbot/auth';
import { AppError, parseInput } from '@mindbot/errors';
import { timeCardActivateRequestSchema } from '@mindbot/sdk/schemas';
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
 * attempt counts towards a per-user and per-tenant limit; past it, attempts get 429 until the window ends.
 */
export function v1TimeCardsActivate(app: Express, ctx: RouteContext): void {
  app.post('/v1/time-cards/activate', ...ctx.user, async (req, res) => {
    const tenant = tenantOf(res);
    const { userId } = principalOf(res);
    const wait = await ctx.activationLimiter.retryAfter(tenant.slug, userId);
    if (wait > 0) {
      throw new AppError('rate_limited', 'Too many wrong activation codes; try again later.', { headers: { 'Retry-After': String(wait) }, extensions: { retryAfter: wait } });
    }
    const input = parseInput(timeCardActivateRequestSchema, req.body);
    const code = normaliseActivationCode(input.code);
    const result = code === undefined ? ({ ok: false, failure: 'invalid_code' } as const) : await activateTimeCard(ctx.deps.tenants.forTenant(tenant.slug), { userId, code }, ctx.billing.clock());
    if (!result.ok) {
      await ctx.activationLimiter.recordFailure(tenant.slug, userId);
      req.log.info({ activationCode: input.code, failure: result.failure }, 'activation refused');
      const [problem, message] = REFUSALS[result.failure];
      throw new AppError(problem, message);
    }
    res.status(201).json(result.value);
  });
}
