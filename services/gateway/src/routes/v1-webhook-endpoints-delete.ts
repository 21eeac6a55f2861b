import { problemSchema } from '@mindbot/sdk/schemas';
import { webhookProblem } from '../domain/webhook-failures.js';
import { ADMIN_ROLES, callerOf, requireUser } from '../http/authenticate.js';
import type { AppRoute } from '../http/route-context.js';
import { tenantOf } from '../http/tenant-resolution.js';

/** DELETE /v1/webhook-endpoints/:id — removes the endpoint and its delivery log; queued deliveries are dropped. */
export const v1WebhookEndpointsDelete: AppRoute = {
  spec: {
    method: 'delete',
    path: '/v1/webhook-endpoints/:id',
    operationId: 'deleteWebhookEndpoint',
    summary: 'Delete a webhook endpoint (and its delivery log).',
    auth: 'admin',
    responses: {
      204: { description: 'Deleted' },
      401: { description: 'Not signed in', schema: problemSchema },
      403: { description: 'Not an admin of this tenant', schema: problemSchema },
      404: { description: 'No such endpoint in this tenant', schema: problemSchema },
    },
  },
  mount(router, ctx) {
    router.delete('/v1/webhook-endpoints/:id', requireUser(...ADMIN_ROLES), async (req, res) => {
      const removed = await ctx.gateway.webhooks.remove(tenantOf(res).slug, String(req.params.id), callerOf(res)?.id ?? 'unknown');
      if (!removed.ok) throw webhookProblem(removed.failure);
      res.status(204).end();
    });
  },
};
