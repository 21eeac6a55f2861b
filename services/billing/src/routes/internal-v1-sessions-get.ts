import { AppError } from '@mindbot/errors';
import { jobSessionSummarySchema } from '@mindbot/sdk/agent-job';
import type { JsonAnswer } from '@mindbot/sdk/schemas';
import { sessionSummaryOf } from '../domain/session-summary.js';
import { sessionCallerOf } from '../http/job-auth.js';
import { noCredential, problem } from '../http/problem-answers.js';
import type { AppRoute } from '../http/route-context.js';
import { tenantOf } from '../http/tenant-context.js';

/** GET /internal/v1/tenants/:tenant/sessions/:id — the session so far, its user's balance and the tenant's currency (the agent's balance and cost tools). */
export const internalV1SessionsGet: AppRoute = {
  spec: {
    method: 'get',
    path: '/internal/v1/tenants/:tenant/sessions/:id',
    operationId: 'getVoiceSessionSummary',
    summary: "The agent (or a platform service) reads the session so far, its user's balance and the tenant's currency.",
    auth: 'service',
    responses: {
      200: { description: 'The session, balance and currency', schema: jobSessionSummarySchema },
      401: noCredential,
      404: problem('No such voice session'),
    },
  },
  mount(router, ctx) {
    router.get('/internal/v1/tenants/:tenant/sessions/:id', ...ctx.session, async (_req, res) => {
      const tenant = tenantOf(res);
      const summary = await sessionSummaryOf(
        ctx.deps.tenants.forTenant(tenant.slug),
        sessionCallerOf(res),
        ctx.billing.metering,
        ctx.billing.clock(),
      );
      if (!summary) throw new AppError('not_found', 'No such voice session.');
      res.json({ ...summary, currency: tenant.currency } satisfies JsonAnswer<typeof jobSessionSummarySchema>);
    });
  },
};
