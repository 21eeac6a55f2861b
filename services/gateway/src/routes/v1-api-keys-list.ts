import { apiKeyListSchema, problemSchema, type JsonAnswer } from '@mindbot/sdk/schemas';
import { requireAdminOrKey } from '../http/authenticate.js';
import type { AppRoute } from '../http/route-context.js';
import { tenantOf } from '../http/tenant-resolution.js';

/** GET /v1/api-keys — the tenant's keys, without their secrets (admins, or a key with api-keys:read). */
export const v1ApiKeysList: AppRoute = {
  spec: {
    method: 'get',
    path: '/v1/api-keys',
    operationId: 'listApiKeys',
    summary: "List the tenant's API keys (never their secrets).",
    auth: 'user-or-key',
    permission: 'api-keys:read',
    responses: {
      200: { description: 'The keys, newest first', schema: apiKeyListSchema },
      401: { description: 'No credential', schema: problemSchema },
      403: { description: 'Not an admin, or the key lacks api-keys:read', schema: problemSchema },
    },
  },
  mount(router, ctx) {
    router.get('/v1/api-keys', requireAdminOrKey('api-keys:read'), async (_req, res) => {
      res
        .set('Cache-Control', 'no-store')
        .json({ apiKeys: await ctx.gateway.apiKeys.list(tenantOf(res).slug) } satisfies JsonAnswer<typeof apiKeyListSchema>);
    });
  },
};
