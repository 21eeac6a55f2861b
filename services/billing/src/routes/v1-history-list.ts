import { principalOf } from '@mindbot/auth';
import { parseInput } from '@mindbot/errors';
import { historyQuerySchema, historyPageSchema, type JsonAnswer } from '@mindbot/sdk/schemas';
import { historyOf } from '../domain/balance.js';
import { problem, signIn } from '../http/problem-answers.js';
import type { AppRoute } from '../http/route-context.js';
import { tenantOf } from '../http/tenant-context.js';

/** GET /v1/history — the user's ledger (credits, usage, reversals, expiries), newest first. */
export const v1HistoryList: AppRoute = {
  spec: {
    method: 'get',
    path: '/v1/history',
    operationId: 'listHistory',
    summary: "The user's ledger (credits, usage, reversals, expiries), newest first.",
    auth: 'user',
    upstream: 'billing',
    query: historyQuerySchema,
    responses: { 200: { description: 'Ledger entries, one page', schema: historyPageSchema }, 400: problem('Invalid query'), 401: signIn },
  },
  mount(router, ctx) {
    router.get('/v1/history', ...ctx.user, async (req, res) => {
      const { limit, before } = parseInput(historyQuerySchema, req.query, 'query');
      const page = await historyOf(ctx.deps.tenants.forTenant(tenantOf(res).slug), principalOf(res).userId, {
        limit,
        before: before ?? null,
      });
      res.json(page satisfies JsonAnswer<typeof historyPageSchema>);
    });
  },
};
