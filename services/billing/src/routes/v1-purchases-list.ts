import type { Express } from 'express';
import { principalOf } from '@mindbot/auth';
import { purchaseListSchema, type JsonAnswer } from '@mindbot/sdk/schemas';
import { listPurchases } from '../domain/purchases.js';
import type { RouteContext } from '../http/route-context.js';
import { tenantOf } from '../http/tenant-context.js';

/** GET /v1/purchases — the user's purchases and their state. */
export function v1PurchasesList(app: Express, ctx: RouteContext): void {
  app.get('/v1/purchases', ...ctx.user, async (_req, res) => {
    res.json({
      purchases: await listPurchases(ctx.deps.tenants.forTenant(tenantOf(res).slug), principalOf(res).userId),
    } satisfies JsonAnswer<typeof purchaseListSchema>);
  });
}
