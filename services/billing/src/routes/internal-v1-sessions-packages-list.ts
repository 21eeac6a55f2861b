import type { Express } from 'express';
import type { jobPackagesSchema } from '@mindbot/sdk/agent-job';
import type { JsonAnswer } from '@mindbot/sdk/schemas';
import { listPackages } from '../domain/packages.js';
import type { RouteContext } from '../http/route-context.js';
import { tenantOf } from '../http/tenant-context.js';

/** GET /internal/v1/tenants/:tenant/sessions/:id/packages — the packages this tenant sells, in its currency (the agent's pricing tool). */
export function internalV1SessionsPackagesList(app: Express, ctx: RouteContext): void {
  app.get('/internal/v1/tenants/:tenant/sessions/:id/packages', ...ctx.job, async (_req, res) => {
    const tenant = tenantOf(res);
    const packages = await listPackages(ctx.deps.tenants.forTenant(tenant.slug), { includeInactive: false });
    res.json({ packages, currency: tenant.currency } satisfies JsonAnswer<typeof jobPackagesSchema>);
  });
}
