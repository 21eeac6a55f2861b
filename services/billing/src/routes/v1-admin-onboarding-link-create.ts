import type { Express } from 'express';
import { AppError } from '@mindbot/errors';
import { forwardedOriginOf } from '@mindbot/http';
import { onboardingLinkSchema, type JsonAnswer } from '@mindbot/sdk/schemas';
import { findBillingAccount } from '@mindbot/stripe-connect';
import type { RouteContext } from '../http/route-context.js';
import { appUrlOf, tenantOf } from '../http/tenant-context.js';

/**
 * POST /v1/admin/billing/onboarding-link — a fresh Stripe Account Link for the tenant's onboarding.
 * Links are single-use and expire within minutes, so each request makes a new one (never cached).
 */
export function v1AdminOnboardingLinkCreate(app: Express, ctx: RouteContext): void {
  app.post('/v1/admin/billing/onboarding-link', ...ctx.admin, async (req, res) => {
    const tenant = tenantOf(res);
    const account = await findBillingAccount(ctx.deps.platform, tenant.slug);
    if (!account || account.closedAt)
      throw new AppError('conflict', 'This tenant has no open Stripe account yet; billing provisioning has not run.');
    const base = appUrlOf(tenant, ctx.billing.appUrl, forwardedOriginOf(req));
    try {
      const link = await ctx.billing.stripe.accountLinks.create({
        account: account.stripeAccountId,
        type: 'account_onboarding',
        refresh_url: `${base}/admin/billing/onboarding?refresh=1`,
        return_url: `${base}/admin/billing/onboarding?done=1`,
      });
      res.set('Cache-Control', 'no-store');
      res
        .status(201)
        .json({ url: link.url, expiresAt: new Date(link.expires_at * 1000) } satisfies JsonAnswer<typeof onboardingLinkSchema>);
    } catch (error) {
      req.log.error({ err: error }, 'account link creation failed');
      throw new AppError('unavailable', 'Stripe could not be reached; try again.', { headers: { 'Retry-After': '5' } });
    }
  });
}
