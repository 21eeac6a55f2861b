import { jobPackagesSchema } from '@mindbot/sdk/agent-job';
import type { JsonAnswer } from '@mindbot/sdk/schemas';
import { listPackages } from '../domain/packages.js';
import { noCredential } from '../http/problem-answers.js';
import type { AppRoute } from '../http/route-context.js';
import { tenantOf } from '../http/tenant-context.js';

/** GET /internal/v1/tenants/:tenant/sessions/:id/packages — the packages this tenant sells, in its currency (the agent's pricing tool). */
export const internalV1SessionsPackagesList: AppRoute = {
  spec: {
    method: 'get',
    path: '/internal/v1/tenants/:tenant/sessions/:id/packages',
    operationId: 'listVoiceSessionPackages',
    summary: 'The agent of the session reads the packages its tenant sells, in its currency.',
    auth: 'service',
    responses: { 200: { description: 'The packages and currency', schema: jobPackagesSchema }, 401: noCredential },
  },
  mount(router, ctx) {
    router.get('/internal/v1/tenants/:tenant/sessions/:id/packages', ...ctx.job, async (_req, res) => {
      const tenant = tenantOf(res);
      const packages = await listPackages(ctx.deps.tenants.forTenant(tenant.slug), { includeInactive: false });
      res.json({ packages, currency: tenant.currency } satisfies JsonAnswer<typeof jobPackagesSchema>);
    });
  },
};
