import type { Express } from 'express';
import { principalOf } from '@mindbot/auth';
import { balanceSchema, type JsonAnswer } from '@mindbot/sdk/schemas';
import { balanceOf } from '../domain/balance.js';
import type { RouteContext } from '../http/route-context.js';
import { tenantOf } from '../http/tenant-context.js';

/** GET /v1/balance — seconds available, held by running sessions, and the lots with their expiries. */
export function v1BalanceGet(app: Express, ctx: RouteContext): void {
  app.get('/v1/balance', ...ctx.user, async (_req, res) => {
    res.json(
      (await balanceOf(ctx.deps.tenants.forTenant(tenantOf(res).slug), principalOf(res).userId, ctx.billing.clock())) satisfies JsonAnswer<
        typeof balanceSchema
      >,
    );
  });
}
