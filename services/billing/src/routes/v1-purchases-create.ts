import type { Express } from 'express';
import { principalOf } from '@mindbot/auth';
import { AppError, parseInput } from '@mindbot/errors';
import { purchaseCreateRequestSchema, purchaseSchema, type JsonAnswer } from '@mindbot/sdk/schemas';
import { findBillingAccount } from '../data/billing-accounts.js';
import { startPurchase } from '../domain/purchases.js';
import { salesStatusOf } from '../domain/sales-status.js';
import type { RouteContext } from '../http/route-context.js';
import { requestKey } from '../http/schemas.js';
import { appUrlOf, tenantOf } from '../http/tenant-context.js';

/**
 * POST /v1/purchases — buys a package: answers the Checkout URL on the tenant's Stripe account.
 * An `Idempotency-Key` header makes retries answer the same purchase.
 */
export function v1PurchasesCreate(app: Express, ctx: RouteContext): void {
  app.post('/v1/purchases', ...ctx.user, async (req, res) => {
    const input = parseInput(purchaseCreateRequestSchema, req.body);
    const key = req.header('idempotency-key');
    const idempotencyKey = key === undefined ? null : parseInput(requestKey, key, 'body');
    const tenant = tenantOf(res);
    const account = await findBillingAccount(ctx.deps.platform, tenant.slug);
    const sales = salesStatusOf(account);
    if (!account || !sales.salesOpen) {
      throw new AppError('conflict', `${tenant.displayName} cannot sell time cards right now.`, { extensions: { reason: sales.reason } });
    }
    const result = await startPurchase(
      {
        scope: ctx.deps.tenants.forTenant(tenant.slug),
        stripe: ctx.billing.stripe,
        logger: req.log,
        stripeAccountId: account.stripeAccountId,
        feePercent: tenant.platformFeePercent,
        appUrl: appUrlOf(tenant, ctx.billing.appUrl),
      },
      { userId: principalOf(res).userId, packageId: input.packageId, requestKey: idempotencyKey },
    );
    if (!result.ok) {
      if (result.failure === 'package_not_found') throw new AppError('not_found', 'No such package is for sale.');
      throw new AppError('unavailable', 'The payment provider could not be reached; nothing was charged. Try again.', { headers: { 'Retry-After': '5' } });
    }
    res.status(201).json(result.value satisfies JsonAnswer<typeof purchaseSchema>);
  });
}
