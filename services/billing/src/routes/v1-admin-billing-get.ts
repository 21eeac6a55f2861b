import type { Express } from 'express';
import { billingAccountSchema, type JsonAnswer } from '@mindbot/sdk/schemas';
import { findBillingAccount, salesStatusOf } from '@mindbot/stripe-connect';
import type { RouteContext } from '../http/route-context.js';
import { tenantOf } from '../http/tenant-context.js';

/** GET /v1/admin/billing — the tenant's Stripe account state: can it sell, and if not, why. */
export function v1AdminBillingGet(app: Express, ctx: RouteContext): void {
  app.get('/v1/admin/billing', ...ctx.admin, async (_req, res) => {
    const tenant = tenantOf(res);
    const account = await findBillingAccount(ctx.deps.platform, tenant.slug);
    res.json({
      stripeAccountId: account?.stripeAccountId ?? null,
      chargesEnabled: account?.chargesEnabled ?? false,
      payoutsEnabled: account?.payoutsEnabled ?? false,
      detailsSubmitted: account?.detailsSubmitted ?? false,
      currency: tenant.currency,
      platformFeePercent: tenant.platformFeePercent,
      ...salesStatusOf(account),
    } satisfies JsonAnswer<typeof billingAccountSchema>);
  });
}
