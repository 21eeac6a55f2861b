import { apiKeyListSchema, problemSchema, type JsonAnswer } from '@mindbot/sdk/schemas';
import { AppError } from '@mindbot/errors';
import { callerOf } from '../http/authenticate.js';
import type { AppRoute } from '../http/route-context.js';
import { tenantOf } from '../http/tenant-resolution.js';
import { ADMIN_ROLES } from './v1-api-keys-create.js';

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
    router.get('/v1/api-keys', async (_req, res) => {
      const caller = callerOf(res);
      if (!caller)
        throw new AppError('unauthenticated', 'A Bearer access token or an API key is required.', {
          headers: { 'WWW-Authenticate': 'Bearer' },
        });
      const allowed =
        caller.kind === 'user'
          ? caller.principal.roles.some((r) => (ADMIN_ROLES as readonly string[]).includes(r))
          : caller.apiKey.permissions.includes('api-keys:read');
      if (!allowed) throw new AppError('forbidden', 'This needs an admin, or an API key with api-keys:read.');
      res
        .set('Cache-Control', 'no-store')
        .json({ apiKeys: await ctx.gateway.apiKeys.list(tenantOf(res).slug) } satisfies JsonAnswer<typeof apiKeyListSchema>);
    });
  },
};
