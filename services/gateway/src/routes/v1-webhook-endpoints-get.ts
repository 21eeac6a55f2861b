import { problemSchema, webhookEndpointSchema, type JsonAnswer } from '@mindbot/sdk/schemas';
import { webhookProblem } from '../domain/webhook-failures.js';
import { ADMIN_ROLES, requireUser } from '../http/authenticate.js';
import type { AppRoute } from '../http/route-context.js';
import { tenantOf } from '../http/tenant-resolution.js';

/** GET /v1/webhook-endpoints/:id — one endpoint (status, why it was disabled, failures in a row). */
export const v1WebhookEndpointsGet: AppRoute = {
  spec: {
    method: 'get',
    path: '/v1/webhook-endpoints/:id',
    operationId: 'getWebhookEndpoint',
    summary: 'Read a webhook endpoint.',
    auth: 'admin',
    responses: {
      200: { description: 'The endpoint', schema: webhookEndpointSchema },
      401: { description: 'Not signed in', schema: problemSchema },
      403: { description: 'Not an admin of this tenant', schema: problemSchema },
      404: { description: 'No such endpoint in this tenant', schema: problemSchema },
    },
  },
  mount(router, ctx) {
    router.get('/v1/webhook-endpoints/:id', requireUser(...ADMIN_ROLES), async (req, res) => {
      const found = await ctx.gateway.webhooks.get(tenantOf(res).slug, String(req.params.id));
      if (!found.ok) throw webhookProblem(found.failure);
      res.set('Cache-Control', 'no-store').json(found.value satisfies JsonAnswer<typeof webhookEndpointSchema>);
    });
  },
};
