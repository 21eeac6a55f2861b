import { parseInput } from '@mindbot/errors';
import { problemSchema, webhookEndpointCreateSchema, webhookEndpointWithSecretSchema, type JsonAnswer } from '@mindbot/sdk/schemas';
import { webhookProblem } from '../domain/webhook-failures.js';
import { ADMIN_ROLES, callerOf, requireUser } from '../http/authenticate.js';
import type { AppRoute } from '../http/route-context.js';
import { tenantOf } from '../http/tenant-resolution.js';

/** POST /v1/webhook-endpoints — a tenant admin registers an endpoint; its signing secret is in this answer only. */
export const v1WebhookEndpointsCreate: AppRoute = {
  spec: {
    method: 'post',
    path: '/v1/webhook-endpoints',
    operationId: 'createWebhookEndpoint',
    summary: 'Register a webhook endpoint for some event types (the signing secret is shown once).',
    auth: 'admin',
    body: webhookEndpointCreateSchema,
    responses: {
      201: { description: 'The endpoint and its signing secret', schema: webhookEndpointWithSecretSchema },
      400: { description: 'Invalid input: unknown event type, not https, a private target, too long', schema: problemSchema },
      401: { description: 'Not signed in', schema: problemSchema },
      403: { description: 'Not an admin of this tenant', schema: problemSchema },
    },
  },
  mount(router, ctx) {
    router.post('/v1/webhook-endpoints', requireUser(...ADMIN_ROLES), async (req, res) => {
      const input = parseInput(webhookEndpointCreateSchema, req.body);
      const created = await ctx.gateway.webhooks.create(tenantOf(res).slug, input, callerOf(res)?.id ?? 'unknown');
      if (!created.ok) throw webhookProblem(created.failure, created.detail);
      res
        .status(201)
        .set('Cache-Control', 'no-store')
        .json(created.value satisfies JsonAnswer<typeof webhookEndpointWithSecretSchema>);
    });
  },
};
