import { problemSchema, webhookEndpointListSchema, type JsonAnswer } from '@mindbot/sdk/schemas';
import { ADMIN_ROLES, requireUser } from '../http/authenticate.js';
import type { AppRoute } from '../http/route-context.js';
import { tenantOf } from '../http/tenant-resolution.js';

/** GET /v1/webhook-endpoints — the tenant's endpoints, newest first, never their secrets. */
export const v1WebhookEndpointsList: AppRoute = {
  spec: {
    method: 'get',
    path: '/v1/webhook-endpoints',
    operationId: 'listWebhookEndpoints',
    summary: "List the tenant's webhook endpoints (never their secrets).",
    auth: 'admin',
    responses: {
      200: { description: 'The endpoints, newest first', schema: webhookEndpointListSchema },
      401: { description: 'Not signed in', schema: problemSchema },
      403: { description: 'Not an admin of this tenant', schema: problemSchema },
    },
  },
  mount(router, ctx) {
    router.get('/v1/webhook-endpoints', requireUser(...ADMIN_ROLES), async (_req, res) => {
      res
        .set('Cache-Control', 'no-store')
        .json({ endpoints: await ctx.gateway.webhooks.list(tenantOf(res).slug) } satisfies JsonAnswer<typeof webhookEndpointListSchema>);
    });
  },
};
