import type { Express } from 'express';
import { z } from 'zod';
import { AppError, parseInput } from '@mindbot/errors';
import { heartbeat } from '../domain/metering.js';
import type { RouteContext } from '../http/route-context.js';
import { sessionId } from '../http/schemas.js';
import { tenantOf } from '../http/tenant-context.js';

const params = z.object({ tenant: z.string(), id: sessionId });
/** Cumulative seconds of conversation since the session started (retries and reordering are harmless). */
const body = z.object({ elapsedSeconds: z.int().min(0).max(86_400, 'must be at most 86400 (one day)') }).strict();

/** POST /internal/v1/tenants/:tenant/sessions/:id/heartbeat — settles so far; answers time left and continue/warn/stop. */
export function internalV1SessionsHeartbeat(app: Express, ctx: RouteContext): void {
  app.post('/internal/v1/tenants/:tenant/sessions/:id/heartbeat', ...ctx.session, async (req, res) => {
    const { id } = parseInput(params, req.params, 'params');
    const { elapsedSeconds } = parseInput(body, req.body);
    const result = await ctx.meteringGate.run(`${tenantOf(res).slug}:${id}`, () =>
      heartbeat(
        ctx.deps.tenants.forTenant(tenantOf(res).slug),
        { sessionId: id, elapsedSeconds },
        ctx.billing.metering,
        ctx.billing.clock(),
      ),
    );
    if (!result.ok) {
      if (result.failure === 'not_found') throw new AppError('not_found', 'No such voice session.');
      throw new AppError('unprocessable', result.detail ?? 'elapsedSeconds is ahead of the clock.');
    }
    res.json(result.value);
  });
}
