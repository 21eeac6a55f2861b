import { parseInput } from '@mindbot/errors';
import { problemSchema, webhookDeliveryPageSchema, webhookDeliveryQuerySchema, type JsonAnswer } from '@mindbot/sdk/schemas';
import { webhookProblem } from '../domain/webhook-failures.js';
import { ADMIN_ROLES, requireUser } from '../http/authenticate.js';
import type { AppRoute } from '../http/route-context.js';
import { tenantOf } from '../http/tenant-resolution.js';

/** GET /v1/webhook-endpoints/:id/deliveries — the endpoint's delivery log, one entry per attempt, newest first, a page at a time. */
export const v1WebhookDeliveriesList: AppRoute = {
  spec: {
    method: 'get',
    path: '/v1/webhook-endpoints/:id/deliveries',
    operationId: 'listWebhookDeliveries',
    summary: "Read an endpoint's delivery log (each attempt: status, answer, error, duration); page with nextCursor.",
    auth: 'admin',
    query: webhookDeliveryQuerySchema,
    responses: {
      200: { description: 'A page of attempts, newest first', schema: webhookDeliveryPageSchema },
      400: { description: 'Invalid cursor or limit', schema: problemSchema },
      401: { description: 'Not signed in', schema: problemSchema },
      403: { description: 'Not an admin of this tenant', schema: problemSchema },
      404: { description: 'No such endpoint in this tenant', schema: problemSchema },
    },
  },
  mount(router, ctx) {
    router.get('/v1/webhook-endpoints/:id/deliveries', requireUser(...ADMIN_ROLES), async (req, res) => {
      const q = parseInput(webhookDeliveryQuerySchema, req.query, 'query');
      const page = await ctx.gateway.webhooks.deliveries(tenantOf(res).slug, String(req.params.id), q);
      if (!page.ok) throw webhookProblem(page.failure);
      res.set('Cache-Control', 'no-store').json(page.value satisfies JsonAnswer<typeof webhookDeliveryPageSchema>);
    });
  },
};
