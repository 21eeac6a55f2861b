import { problemSchema, webhookQueuedSchema, type JsonAnswer } from '@mindbot/sdk/schemas';
import { webhookProblem } from '../domain/webhook-failures.js';
import { ADMIN_ROLES, callerOf, requireUser } from '../http/authenticate.js';
import type { AppRoute } from '../http/route-context.js';
import { tenantOf } from '../http/tenant-resolution.js';

/** POST /v1/webhook-deliveries/:id/replay — a new attempt of that delivery's event (same webhook-id), after the endpoint's queued ones. */
export const v1WebhookDeliveriesReplay: AppRoute = {
  spec: {
    method: 'post',
    path: '/v1/webhook-deliveries/:id/replay',
    operationId: 'replayWebhookDelivery',
    summary: 'Send the event of a logged delivery again.',
    auth: 'admin',
    responses: {
      202: { description: 'The event, queued for a new attempt', schema: webhookQueuedSchema },
      401: { description: 'Not signed in', schema: problemSchema },
      403: { description: 'Not an admin of this tenant', schema: problemSchema },
      404: { description: 'No such delivery in this tenant', schema: problemSchema },
      409: { description: 'The endpoint is disabled', schema: problemSchema },
    },
  },
  mount(router, ctx) {
    router.post('/v1/webhook-deliveries/:id/replay', requireUser(...ADMIN_ROLES), async (req, res) => {
      const queued = await ctx.gateway.webhooks.replay(tenantOf(res).slug, String(req.params.id), callerOf(res)?.id ?? 'unknown');
      if (!queued.ok) throw webhookProblem(queued.failure);
      res.status(202).json(queued.value satisfies JsonAnswer<typeof webhookQueuedSchema>);
    });
  },
};
