import type { Express } from 'express';
import { principalOf } from '@mindbot/auth';
import { parseInput } from '@mindbot/errors';
import { historyQuerySchema, historyPageSchema, type JsonAnswer } from '@mindbot/sdk/schemas';
import { historyOf } from '../domain/balance.js';
import type { RouteContext } from '../http/route-context.js';
import { tenantOf } from '../http/tenant-context.js';

/** GET /v1/history — the user's ledger (credits, usage, reversals, expiries), newest first. */
export function v1HistoryList(app: Express, ctx: RouteContext): void {
  app.get('/v1/history', ...ctx.user, async (req, res) => {
    const { limit, before } = parseInput(historyQuerySchema, req.query, 'query');
    res.json(
      (await historyOf(ctx.deps.tenants.forTenant(tenantOf(res).slug), principalOf(res).userId, {
        limit,
        before: before ?? null,
      })) satisfies JsonAnswer<typeof historyPageSchema>,
    );
  });
}
