import { problemSchema, webhookQueuedSchema, type JsonAnswer } from '@mindbot/sdk/schemas';
import { webhookProblem } from '../domain/webhook-failures.js';
import { ADMIN_ROLES, callerOf, requireUser } from '../http/authenticate.js';
import type { AppRoute } from '../http/route-context.js';
import { tenantOf } from '../http/tenant-resolution.js';

/** POST /v1/webhook-endpoints/:id/test — queues a `webhook.test` event to this endpoint only (signed and logged like any other). */
export const v1WebhookEndpointsTest: AppRoute = {
  spec: {
    method: 'post',
    path: '/v1/webhook-endpoints/:id/test',
    operationId: 'testWebhookEndpoint',
    summary: 'Send a webhook.test event to an endpoint.',
    auth: 'admin',
    responses: {
      202: { description: 'The test event, queued', schema: webhookQueuedSchema },
      401: { description: 'Not signed in', schema: problemSchema },
      403: { description: 'Not an admin of this tenant', schema: problemSchema },
      404: { description: 'No such endpoint in this tenant', schema: problemSchema },
      409: { description: 'The endpoint is disabled', schema: problemSchema },
    },
  },
  mount(router, ctx) {
    router.post('/v1/webhook-endpoints/:id/test', requireUser(...ADMIN_ROLES), async (req, res) => {
      const queued = await ctx.gateway.webhooks.sendTest(tenantOf(res).slug, String(req.params.id), callerOf(res)?.id ?? 'unknown');
      if (!queued.ok) throw webhookProblem(queued.failure);
      res
        .status(202)
        .json({ eventId: queued.value.eventId, endpointId: queued.value.endpointId } satisfies JsonAnswer<typeof webhookQueuedSchema>);
    });
  },
};
