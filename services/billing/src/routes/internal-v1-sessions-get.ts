import type { Express } from 'express';
import type { jobSessionSummarySchema } from '@mindbot/sdk/agent-job';
import type { JsonAnswer } from '@mindbot/sdk/schemas';
import { AppError } from '@mindbot/errors';
import { balanceOf } from '../domain/balance.js';
import { readSessionState } from '../domain/metering.js';
import { sessionCallerOf } from '../http/job-auth.js';
import type { RouteContext } from '../http/route-context.js';
import { tenantOf } from '../http/tenant-context.js';

/** GET /internal/v1/tenants/:tenant/sessions/:id — the session so far, its user's balance and the tenant's currency (the agent's balance and cost tools). */
export function internalV1SessionsGet(app: Express, ctx: RouteContext): void {
  app.get('/internal/v1/tenants/:tenant/sessions/:id', ...ctx.session, async (_req, res) => {
    const tenant = tenantOf(res);
    const caller = sessionCallerOf(res);
    const scope = ctx.deps.tenants.forTenant(tenant.slug);
    const now = ctx.billing.clock();
    const session = await readSessionState(scope, caller.sessionId, ctx.billing.metering, now);
    if (!session) throw new AppError('not_found', 'No such voice session.');
    const balance = await balanceOf(scope, caller.userId, now);
    res.json({ session, balance, currency: tenant.currency } satisfies JsonAnswer<typeof jobSessionSummarySchema>);
  });
}
