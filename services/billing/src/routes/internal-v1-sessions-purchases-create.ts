import type { Express } from 'express';
import { AppError, parseInput } from '@mindbot/errors';
import { purchaseCreateRequestSchema, purchaseSchema, type JsonAnswer } from '@mindbot/sdk/schemas';
import { buyPackage, buyProblem } from '../domain/buy-package.js';
import { sessionCallerOf } from '../http/job-auth.js';
import type { RouteContext } from '../http/route-context.js';
import { appUrlOf, tenantOf } from '../http/tenant-context.js';

/**
 * POST /internal/v1/tenants/:tenant/sessions/:id/purchases — the agent starts a purchase for the
 * session's user (the start_purchase tool) while the call runs; asking again for the same package
 * in the same call answers the same purchase and Checkout link.
 */
export function internalV1SessionsPurchasesCreate(app: Express, ctx: RouteContext): void {
  app.post('/internal/v1/tenants/:tenant/sessions/:id/purchases', ...ctx.job, async (req, res) => {
    const input = parseInput(purchaseCreateRequestSchema, req.body);
    const caller = sessionCallerOf(res);
    if (!caller.active) throw new AppError('conflict', 'This voice session has ended; purchases are made in a running call only.');
    const tenant = tenantOf(res);
    const result = await buyPackage(
      {
        platform: ctx.deps.platform,
        scope: ctx.deps.tenants.forTenant(tenant.slug),
        stripe: ctx.billing.stripe,
        logger: req.log,
        appUrl: appUrlOf(tenant, ctx.billing.appUrl),
        feePercent: tenant.platformFeePercent,
      },
      { userId: caller.userId, packageId: input.packageId, requestKey: `call:${caller.sessionId}:${input.packageId}` },
    );
    if (!result.ok) throw buyProblem(result.failure, result.detail, tenant.displayName);
    res.status(201).json(result.value satisfies JsonAnswer<typeof purchaseSchema>);
  });
}
