import { z } from 'zod';
import { AppError, parseInput } from '@mindbot/errors';
import { packageIdSchema } from '@mindbot/sdk/schemas';
import { withdrawPackage } from '../domain/packages.js';
import { adminOnly, problem, signIn } from '../http/problem-answers.js';
import type { AppRoute } from '../http/route-context.js';
import { tenantOf } from '../http/tenant-context.js';
import { changeBy } from '../http/change-by.js';

const params = z.object({ id: packageIdSchema });

/** DELETE /v1/admin/packages/:id — withdraws a package from sale (purchases keep referring to it). */
export const v1AdminPackagesDelete: AppRoute = {
  spec: {
    method: 'delete',
    path: '/v1/admin/packages/:id',
    operationId: 'withdrawPackage',
    summary: 'Withdraw a package from sale (purchases keep referring to it).',
    auth: 'admin',
    upstream: 'billing',
    responses: { 204: { description: 'Withdrawn' }, 401: signIn, 403: adminOnly, 404: problem('No such package') },
  },
  mount(router, ctx) {
    router.delete('/v1/admin/packages/:id', ...ctx.admin, async (req, res) => {
      const { id } = parseInput(params, req.params, 'params');
      const result = await withdrawPackage(ctx.deps.tenants.forTenant(tenantOf(res).slug), id, changeBy(req, res));
      if (!result.ok) throw new AppError('not_found', 'No such package.');
      res.status(204).end();
    });
  },
};
