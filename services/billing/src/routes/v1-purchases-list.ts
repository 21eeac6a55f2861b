import { principalOf } from '@mindbot/auth';
import { purchaseListSchema, type JsonAnswer } from '@mindbot/sdk/schemas';
import { listPurchases } from '../domain/purchases.js';
import { signIn } from '../http/problem-answers.js';
import type { AppRoute } from '../http/route-context.js';
import { tenantOf } from '../http/tenant-context.js';

/** GET /v1/purchases — the user's purchases and their state. */
export const v1PurchasesList: AppRoute = {
  spec: {
    method: 'get',
    path: '/v1/purchases',
    operationId: 'listPurchases',
    summary: "The user's purchases and their state.",
    auth: 'user',
    upstream: 'billing',
    responses: { 200: { description: 'Purchases', schema: purchaseListSchema }, 401: signIn },
  },
  mount(router, ctx) {
    router.get('/v1/purchases', ...ctx.user, async (_req, res) => {
      const purchases = await listPurchases(ctx.deps.tenants.forTenant(tenantOf(res).slug), principalOf(res).userId);
      res.json({ purchases } satisfies JsonAnswer<typeof purchaseListSchema>);
    });
  },
};
