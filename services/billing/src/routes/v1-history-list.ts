import type { Express } from 'express';
import { z } from 'zod';
import { principalOf } from '@mindbot/auth';
import { parseInput } from '@mindbot/errors';
import { historyOf } from '../domain/balance.js';
import type { RouteContext } from '../http/route-context.js';
import { tenantOf } from '../http/tenant-context.js';

const query = z
  .object({
    limit: z.coerce.number().int().min(1).max(200).default(50),
    before: z.string().regex(/^led_[0-9a-z]{26}$/, 'must be a ledger entry id').optional(),
  })
  .strict();

/** GET /v1/history — the user's ledger (credits, usage, reversals, expiries), newest first. */
export function v1HistoryList(app: Express, ctx: RouteContext): void {
  app.get('/v1/history', ...ctx.user, async (req, res) => {
    const { limit, before } = parseInput(query, req.query, 'query');
    res.json(await historyOf(ctx.deps.tenants.forTenant(tenantOf(res).slug), principalOf(res).userId, { limit, before: before ?? null }));
  });
}
