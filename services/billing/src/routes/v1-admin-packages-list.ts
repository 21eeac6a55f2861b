import type { Express } from 'express';
import { packageListSchema, type JsonAnswer } from '@mindbot/sdk/schemas';
import { listPackages } from '../domain/packages.js';
import type { RouteContext } from '../http/route-context.js';
import { tenantOf } from '../http/tenant-context.js';

/** GET /v1/admin/packages — every package, active or not. */
export function v1AdminPackagesList(app: Express, ctx: RouteContext): void {
  app.get('/v1/admin/packages', ...ctx.admin, async (_req, res) => {
    res.json({
      packages: await listPackages(ctx.deps.tenants.forTenant(tenantOf(res).slug), { includeInactive: true }),
    } satisfies JsonAnswer<typeof packageListSchema>);
  });
}
