import type { Express } from 'express';
import { z } from 'zod';
import { AppError, parseInput } from '@mindbot/errors';
import { packageIdSchema } from '@mindbot/sdk/schemas';
import { updatePackage } from '../domain/packages.js';
import type { RouteContext } from '../http/route-context.js';
import { tenantOf } from '../http/tenant-context.js';

const params = z.object({ id: packageIdSchema });

/** DELETE /v1/admin/packages/:id — withdraws a package from sale (purchases keep referring to it). */
export function v1AdminPackagesDelete(app: Express, ctx: RouteContext): void {
  app.delete('/v1/admin/packages/:id', ...ctx.admin, async (req, res) => {
    const { id } = parseInput(params, req.params, 'params');
    const result = await updatePackage(ctx.deps.tenants.forTenant(tenantOf(res).slug), id, { active: false });
    if (!result.ok) throw new AppError('not_found', 'No such package.');
    res.status(204).end();
  });
}
