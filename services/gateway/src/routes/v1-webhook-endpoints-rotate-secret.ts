import { problemSchema, webhookEndpointWithSecretSchema, type JsonAnswer } from '@mindbot/sdk/schemas';
import { webhookProblem } from '../domain/webhook-failures.js';
import { ADMIN_ROLES, callerOf, requireUser } from '../http/authenticate.js';
import type { AppRoute } from '../http/route-context.js';
import { tenantOf } from '../http/tenant-resolution.js';

/** POST /v1/webhook-endpoints/:id/rotate-secret — a new signing secret, shown once; attempts from now on are signed with it. */
export const v1WebhookEndpointsRotateSecret: AppRoute = {
  spec: {
    method: 'post',
    path: '/v1/webhook-endpoints/:id/rotate-secret',
    operationId: 'rotateWebhookEndpointSecret',
    summary: "Replace an endpoint's signing secret (the new one is shown once).",
    auth: 'admin',
    responses: {
      200: { description: 'The endpoint and its new signing secret', schema: webhookEndpointWithSecretSchema },
      401: { description: 'Not signed in', schema: problemSchema },
      403: { description: 'Not an admin of this tenant', schema: problemSchema },
      404: { description: 'No such endpoint in this tenant', schema: problemSchema },
    },
  },
  mount(router, ctx) {
    router.post('/v1/webhook-endpoints/:id/rotate-secret', requireUser(...ADMIN_ROLES), async (req, res) => {
      const rotated = await ctx.gateway.webhooks.rotateSecret(tenantOf(res).slug, String(req.params.id), callerOf(res)?.id ?? 'unknown');
      if (!rotated.ok) throw webhookProblem(rotated.failure);
      res.set('Cache-Control', 'no-store').json(rotated.value satisfies JsonAnswer<typeof webhookEndpointWithSecretSchema>);
    });
  },
};
