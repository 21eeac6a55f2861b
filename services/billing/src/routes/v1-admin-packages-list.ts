import { packageListSchema, type JsonAnswer } from '@mindbot/sdk/schemas';
import { listPackages } from '../domain/packages.js';
import { adminOnly, signIn } from '../http/problem-answers.js';
import type { AppRoute } from '../http/route-context.js';
import { tenantOf } from '../http/tenant-context.js';

/** GET /v1/admin/packages — every package, active or not. */
export const v1AdminPackagesList: AppRoute = {
  spec: {
    method: 'get',
    path: '/v1/admin/packages',
    operationId: 'listAllPackages',
    summary: 'Every package, on sale or withdrawn.',
    auth: 'admin',
    upstream: 'billing',
    responses: { 200: { description: 'The packages', schema: packageListSchema }, 401: signIn, 403: adminOnly },
  },
  mount(router, ctx) {
    router.get('/v1/admin/packages', ...ctx.admin, async (_req, res) => {
      const packages = await listPackages(ctx.deps.tenants.forTenant(tenantOf(res).slug), { includeInactive: true });
      res.json({ packages } satisfies JsonAnswer<typeof packageListSchema>);
    });
  },
};
