import { parseInput } from '@mindbot/errors';
import { packageCreateRequestSchema, packageSchema, type JsonAnswer } from '@mindbot/sdk/schemas';
import { createPackage } from '../domain/packages.js';
import { adminOnly, problem, signIn } from '../http/problem-answers.js';
import type { AppRoute } from '../http/route-context.js';
import { tenantOf } from '../http/tenant-context.js';
import { changeBy } from '../http/change-by.js';

/** POST /v1/admin/packages — a new package. */
export const v1AdminPackagesCreate: AppRoute = {
  spec: {
    method: 'post',
    path: '/v1/admin/packages',
    operationId: 'createPackage',
    summary: 'A new package.',
    auth: 'admin',
    upstream: 'billing',
    body: packageCreateRequestSchema,
    responses: { 201: { description: 'The package', schema: packageSchema }, 400: problem('Invalid package'), 401: signIn, 403: adminOnly },
  },
  mount(router, ctx) {
    router.post('/v1/admin/packages', ...ctx.admin, async (req, res) => {
      const input = parseInput(packageCreateRequestSchema, req.body);
      const created = await createPackage(ctx.deps.tenants.forTenant(tenantOf(res).slug), input, changeBy(req, res));
      res.status(201).json(created satisfies JsonAnswer<typeof packageSchema>);
    });
  },
};
