import { parseInput } from '@mindbot/errors';
import { forwardedOriginOf } from '@mindbot/http';
import { resellerTenantListSchema, resellerTenantsQuerySchema, type JsonAnswer } from '@mindbot/sdk/schemas';
import { listResellerTenants } from '../domain/reseller-tenants.js';
import { platformOriginOf } from '../domain/tenant-origin.js';
import { adminOnly, problem, signIn } from '../http/problem-answers.js';
import { reportRangeOf } from '../http/report-range.js';
import type { AppRoute } from '../http/route-context.js';
import { tenantOf } from '../http/tenant-context.js';

/** GET /v1/reseller/tenants — a reseller's child tenants, each with its console's URL and its usage and revenue over a range. */
export const v1ResellerTenantsList: AppRoute = {
  spec: {
    method: 'get',
    path: '/v1/reseller/tenants',
    operationId: 'listResellerTenants',
    summary: "The tenants whose parentReseller is the caller's tenant, with their console URL, usage and revenue over a range.",
    auth: 'admin',
    upstream: 'billing',
    query: resellerTenantsQuerySchema,
    responses: {
      200: {
        description: 'One page of the child tenants, by slug (none when the tenant resells to no one)',
        schema: resellerTenantListSchema,
      },
      400: problem('Invalid range, limit or cursor'),
      401: signIn,
      403: adminOnly,
    },
  },
  mount(router, ctx) {
    router.get('/v1/reseller/tenants', ...ctx.admin, async (req, res) => {
      const q = parseInput(resellerTenantsQuerySchema, req.query, 'query');
      const reachedAt = forwardedOriginOf(req);
      const baseDomain = ctx.billing.baseDomain ?? 'localhost';
      const list = await listResellerTenants(ctx.deps, tenantOf(res).slug, reportRangeOf(q), {
        limit: q.limit,
        ...(q.cursor === undefined ? {} : { after: q.cursor }),
        originOf: (child) => platformOriginOf(child, baseDomain, reachedAt),
      });
      res.json(list satisfies JsonAnswer<typeof resellerTenantListSchema>);
    });
  },
};
