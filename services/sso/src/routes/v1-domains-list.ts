import { domainListSchema, type JsonAnswer } from '@mindbot/sdk/schemas';
import type { AppRoute } from '../http/route-context.js';
import { adminOnly, signIn } from '../http/route-responses.js';
import { tenantOf } from '../http/tenant-context.js';

/** GET /v1/sso/domains */
export const v1DomainsList: AppRoute = {
  spec: {
    method: 'get',
    path: '/v1/sso/domains',
    operationId: 'listDomains',
    summary: "The tenant's claimed email domains and whether each is verified.",
    auth: 'admin',
    upstream: 'sso',
    responses: { 200: { description: 'Domains', schema: domainListSchema }, 401: signIn, 403: adminOnly },
  },
  mount(router, ctx) {
    router.get('/v1/sso/domains', ...ctx.admin, async (_req, res) => {
      res.json({ data: await ctx.sso.domains.list(tenantOf(res).slug) } satisfies JsonAnswer<typeof domainListSchema>);
    });
  },
};
