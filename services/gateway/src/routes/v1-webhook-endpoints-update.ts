import { parseInput } from '@mindbot/errors';
import { problemSchema, webhookEndpointSchema, webhookEndpointUpdateSchema, type JsonAnswer } from '@mindbot/sdk/schemas';
import { webhookProblem } from '../domain/webhook-failures.js';
import { ADMIN_ROLES, callerOf, requireUser } from '../http/authenticate.js';
import type { AppRoute } from '../http/route-context.js';
import { tenantOf } from '../http/tenant-resolution.js';

/** PATCH /v1/webhook-endpoints/:id — change the URL, description or events; `status: active` re-enables a disabled endpoint. */
export const v1WebhookEndpointsUpdate: AppRoute = {
  spec: {
    method: 'patch',
    path: '/v1/webhook-endpoints/:id',
    operationId: 'updateWebhookEndpoint',
    summary: 'Change a webhook endpoint, or disable or re-enable it.',
    auth: 'admin',
    body: webhookEndpointUpdateSchema,
    responses: {
      200: { description: 'The endpoint as changed', schema: webhookEndpointSchema },
      400: { description: 'Invalid input', schema: problemSchema },
      401: { description: 'Not signed in', schema: problemSchema },
      403: { description: 'Not an admin of this tenant', schema: problemSchema },
      404: { description: 'No such endpoint in this tenant', schema: problemSchema },
    },
  },
  mount(router, ctx) {
    router.patch('/v1/webhook-endpoints/:id', requireUser(...ADMIN_ROLES), async (req, res) => {
      const change = parseInput(webhookEndpointUpdateSchema, req.body);
      const updated = await ctx.gateway.webhooks.update(tenantOf(res).slug, String(req.params.id), change, callerOf(res)?.id ?? 'unknown');
      if (!updated.ok) throw webhookProblem(updated.failure, updated.detail);
      res.set('Cache-Control', 'no-store').json(updated.value satisfies JsonAnswer<typeof webhookEndpointSchema>);
    });
  },
};
