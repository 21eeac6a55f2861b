import type { Express } from 'express';
import { packageListSchema, type JsonAnswer } from '@mindbot/sdk/schemas';
import { listPackages } from '../domain/packages.js';
import type { RouteContext } from '../http/route-context.js';
import { tenantOf } from '../http/tenant-context.js';

/** GET /v1/packages — what the signed-in user can buy. */
export function v1PackagesList(app: Express, ctx: RouteContext): void {
  app.get('/v1/packages', ...ctx.user, async (_req, res) => {
    const packages = await listPackages(ctx.deps.tenants.forTenant(tenantOf(res).slug), { includeInactive: false });
    res.json({ packages } satisfies JsonAnswer<typeof packageListSchema>);
  });
}
