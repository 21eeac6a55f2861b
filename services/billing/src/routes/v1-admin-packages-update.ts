import type { Express } from 'express';
import { z } from 'zod';
import { AppError, parseInput } from '@mindbot/errors';
import { packageIdSchema, packageUpdateRequestSchema, packageSchema, type JsonAnswer } from '@mindbot/sdk/schemas';
import { updatePackage } from '../domain/packages.js';
import type { RouteContext } from '../http/route-context.js';
import { tenantOf } from '../http/tenant-context.js';

const params = z.object({ id: packageIdSchema });

/** PATCH /v1/admin/packages/:id — price, currency, bonus, name, order, active. */
export function v1AdminPackagesUpdate(app: Express, ctx: RouteContext): void {
  app.patch('/v1/admin/packages/:id', ...ctx.admin, async (req, res) => {
    const { id } = parseInput(params, req.params, 'params');
    const patch = parseInput(packageUpdateRequestSchema, req.body);
    const result = await updatePackage(ctx.deps.tenants.forTenant(tenantOf(res).slug), id, patch);
    if (!result.ok) throw new AppError('not_found', 'No such package.');
    res.json(result.value satisfies JsonAnswer<typeof packageSchema>);
  });
}
