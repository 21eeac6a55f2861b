import type { PlatformClient } from '@mindbot/db';
import { findBillingAccount, salesStatusOf, type SalesStatus } from '@mindbot/stripe-connect';

/** A tenant's Stripe account as its admins see it: the account's flags, the tenant's terms, and whether it can sell. */
export interface BillingAccountView extends SalesStatus {
  stripeAccountId: string | null;
  chargesEnabled: boolean;
  payoutsEnabled: boolean;
  detailsSubmitted: boolean;
  currency: string;
  platformFeePercent: number;
}

/** The tenant's Stripe account state: can it sell, and if not, why (before provisioning: no account, cannot sell). */
export async function billingAccountOf(
  platform: PlatformClient,
  tenant: { slug: string; currency: string; platformFeePercent: number },
): Promise<BillingAccountView> {
  const account = await findBillingAccount(platform, tenant.slug);
  return {
    stripeAccountId: account?.stripeAccountId ?? null,
    chargesEnabled: account?.chargesEnabled ?? false,
    payoutsEnabled: account?.payoutsEnabled ?? false,
    detailsSubmitted: account?.detailsSubmitted ?? false,
    currency: tenant.currency,
    platformFeePercent: tenant.platformFeePercent,
    ...salesStatusOf(account),
  };
}
