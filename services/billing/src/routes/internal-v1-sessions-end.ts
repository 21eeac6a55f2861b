import type { Express } from 'express';
import { z } from 'zod';
import { AppError, parseInput } from '@mindbot/errors';
import { endSession } from '../domain/metering.js';
import type { RouteContext } from '../http/route-context.js';
import { sessionId } from '../http/schemas.js';
import { tenantOf } from '../http/tenant-context.js';

const params = z.object({ tenant: z.string(), id: sessionId });
const body = z
  .object({
    elapsedSeconds: z.int().min(0).max(86_400, 'must be at most 86400 (one day)'),
    reason: z.enum(['user_hangup', 'agent_ended', 'balance_exhausted', 'error']).default('user_hangup'),
  })
  .strict();

/** POST /internal/v1/tenants/:tenant/sessions/:id/end — settles to the second and releases the reservation; idempotent. */
export function internalV1SessionsEnd(app: Express, ctx: RouteContext): void {
  app.post('/internal/v1/tenants/:tenant/sessions/:id/end', ...ctx.session, async (req, res) => {
    const { id } = parseInput(params, req.params, 'params');
    const input = parseInput(body, req.body);
    const result = await ctx.meteringGate.run(`${tenantOf(res).slug}:${id}`, () =>
      endSession(ctx.deps.tenants.forTenant(tenantOf(res).slug), { sessionId: id, ...input }, ctx.billing.metering, ctx.billing.clock()),
    );
    if (!result.ok) {
      if (result.failure === 'not_found') throw new AppError('not_found', 'No such voice session.');
      throw new AppError('unprocessable', result.detail ?? 'elapsedSeconds is ahead of the clock.');
    }
    res.json(result.value);
  });
}
