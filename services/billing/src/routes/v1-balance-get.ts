import { principalOf } from '@mindbot/auth';
import { balanceSchema, type JsonAnswer } from '@mindbot/sdk/schemas';
import { balanceOf } from '../domain/balance.js';
import { signIn } from '../http/problem-answers.js';
import type { AppRoute } from '../http/route-context.js';
import { tenantOf } from '../http/tenant-context.js';

/** GET /v1/balance — seconds available, held by running sessions, and the lots with their expiries. */
export const v1BalanceGet: AppRoute = {
  spec: {
    method: 'get',
    path: '/v1/balance',
    operationId: 'getBalance',
    summary: 'Seconds available, held by running sessions, and the lots with their expiries.',
    auth: 'user',
    upstream: 'billing',
    responses: { 200: { description: 'The balance', schema: balanceSchema }, 401: signIn },
  },
  mount(router, ctx) {
    router.get('/v1/balance', ...ctx.user, async (_req, res) => {
      const balance = await balanceOf(ctx.deps.tenants.forTenant(tenantOf(res).slug), principalOf(res).userId, ctx.billing.clock());
      res.json(balance satisfies JsonAnswer<typeof balanceSchema>);
    });
  },
};
