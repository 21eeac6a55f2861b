import { z } from 'zod';
import { AppError, parseInput } from '@mindbot/errors';
import { packageIdSchema, packageUpdateRequestSchema, packageSchema, type JsonAnswer } from '@mindbot/sdk/schemas';
import { updatePackage } from '../domain/packages.js';
import { adminOnly, problem, signIn } from '../http/problem-answers.js';
import type { AppRoute } from '../http/route-context.js';
import { tenantOf } from '../http/tenant-context.js';
import { changeBy } from '../http/change-by.js';

const params = z.object({ id: packageIdSchema });

/** PATCH /v1/admin/packages/:id — price, currency, bonus, name, order, active. */
export const v1AdminPackagesUpdate: AppRoute = {
  spec: {
    method: 'patch',
    path: '/v1/admin/packages/:id',
    operationId: 'updatePackage',
    summary: 'Change price, currency, bonus, name, order or whether it is on sale.',
    auth: 'admin',
    upstream: 'billing',
    body: packageUpdateRequestSchema,
    responses: {
      200: { description: 'The package', schema: packageSchema },
      400: problem('Invalid change'),
      401: signIn,
      403: adminOnly,
      404: problem('No such package'),
    },
  },
  mount(router, ctx) {
    router.patch('/v1/admin/packages/:id', ...ctx.admin, async (req, res) => {
      const { id } = parseInput(params, req.params, 'params');
      const patch = parseInput(packageUpdateRequestSchema, req.body);
      const result = await updatePackage(ctx.deps.tenants.forTenant(tenantOf(res).slug), id, patch, changeBy(req, res));
      if (!result.ok) throw new AppError('not_found', 'No such package.');
      res.json(result.value satisfies JsonAnswer<typeof packageSchema>);
    });
  },
};
