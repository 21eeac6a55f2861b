import { packageListSchema, type JsonAnswer } from '@mindbot/sdk/schemas';
import { listPackages } from '../domain/packages.js';
import { signIn } from '../http/problem-answers.js';
import type { AppRoute } from '../http/route-context.js';
import { tenantOf } from '../http/tenant-context.js';

/** GET /v1/packages — what the signed-in user can buy. */
export const v1PackagesList: AppRoute = {
  spec: {
    method: 'get',
    path: '/v1/packages',
    operationId: 'listPackages',
    summary: 'The time-card packages on sale.',
    auth: 'user',
    upstream: 'billing',
    responses: { 200: { description: 'The packages', schema: packageListSchema }, 401: signIn },
  },
  mount(router, ctx) {
    router.get('/v1/packages', ...ctx.user, async (_req, res) => {
      const packages = await listPackages(ctx.deps.tenants.forTenant(tenantOf(res).slug), { includeInactive: false });
      res.json({ packages } satisfies JsonAnswer<typeof packageListSchema>);
    });
  },
};
