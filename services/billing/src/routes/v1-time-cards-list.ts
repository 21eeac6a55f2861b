import { principalOf } from '@mindbot/auth';
import { timeCardListSchema, type JsonAnswer } from '@mindbot/sdk/schemas';
import { listTimeCards } from '../domain/time-cards.js';
import { signIn } from '../http/problem-answers.js';
import type { AppRoute } from '../http/route-context.js';
import { tenantOf } from '../http/tenant-context.js';

/** GET /v1/time-cards — the user's own cards; unused codes are shown to their owner only. */
export const v1TimeCardsList: AppRoute = {
  spec: {
    method: 'get',
    path: '/v1/time-cards',
    operationId: 'listTimeCards',
    summary: "The user's own time cards; unused codes are shown to their owner only.",
    auth: 'user',
    upstream: 'billing',
    responses: { 200: { description: 'Time cards', schema: timeCardListSchema }, 401: signIn },
  },
  mount(router, ctx) {
    router.get('/v1/time-cards', ...ctx.user, async (_req, res) => {
      res.set('Cache-Control', 'no-store');
      const timeCards = await listTimeCards(ctx.deps.tenants.forTenant(tenantOf(res).slug), principalOf(res).userId);
      res.json({ timeCards } satisfies JsonAnswer<typeof timeCardListSchema>);
    });
  },
};
