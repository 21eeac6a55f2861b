import { connectionListSchema, type JsonAnswer } from '@mindbot/sdk/schemas';
import { connectionView } from '../domain/connections.js';
import type { AppRoute } from '../http/route-context.js';
import { adminOnly, signIn } from '../http/route-responses.js';
import { tenantOf } from '../http/tenant-context.js';

/** GET /v1/sso/connections */
export const v1ConnectionsList: AppRoute = {
  spec: {
    method: 'get',
    path: '/v1/sso/connections',
    operationId: 'listConnections',
    summary: "The tenant's SAML and OIDC connections.",
    auth: 'admin',
    upstream: 'sso',
    responses: { 200: { description: 'Connections', schema: connectionListSchema }, 401: signIn, 403: adminOnly },
  },
  mount(router, ctx) {
    router.get('/v1/sso/connections', ...ctx.admin, async (_req, res) => {
      const tenant = tenantOf(res);
      const connections = await ctx.sso.connectionAdmin.list(tenant.slug);
      res.json({ connections: connections.map((c) => connectionView(c, tenant.publicOrigin)) } satisfies JsonAnswer<
        typeof connectionListSchema
      >);
    });
  },
};
