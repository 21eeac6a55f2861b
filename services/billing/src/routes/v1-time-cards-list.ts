import type { Express } from 'express';
import { principalOf } from '@mindbot/auth';
import { timeCardListSchema, type JsonAnswer } from '@mindbot/sdk/schemas';
import { listTimeCards } from '../domain/time-cards.js';
import type { RouteContext } from '../http/route-context.js';
import { tenantOf } from '../http/tenant-context.js';

/** GET /v1/time-cards — the user's own cards; unused codes are shown to their owner only. */
export function v1TimeCardsList(app: Express, ctx: RouteContext): void {
  app.get('/v1/time-cards', ...ctx.user, async (_req, res) => {
    res.set('Cache-Control', 'no-store');
    res.json({
      timeCards: await listTimeCards(ctx.deps.tenants.forTenant(tenantOf(res).slug), principalOf(res).userId),
    } satisfies JsonAnswer<typeof timeCardListSchema>);
  });
}
