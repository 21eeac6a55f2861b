import type { Express } from 'express';
import { parseInput } from '@mindbot/errors';
import { packageCreateRequestSchema, packageSchema, type JsonAnswer } from '@mindbot/sdk/schemas';
import { createPackage } from '../domain/packages.js';
import type { RouteContext } from '../http/route-context.js';
import { tenantOf } from '../http/tenant-context.js';

/** POST /v1/admin/packages — a new package. */
export function v1AdminPackagesCreate(app: Express, ctx: RouteContext): void {
  app.post('/v1/admin/packages', ...ctx.admin, async (req, res) => {
    const input = parseInput(packageCreateRequestSchema, req.body);
    res
      .status(201)
      .json((await createPackage(ctx.deps.tenants.forTenant(tenantOf(res).slug), input)) satisfies JsonAnswer<typeof packageSchema>);
  });
}
