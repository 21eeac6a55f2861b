import type { PlatformClient } from '@mindbot/db';
import { fail, ok, type Result } from '@mindbot/errors';
import type { Logger } from '@mindbot/logger';
import { findBillingAccount, type Stripe } from '@mindbot/stripe-connect';

export type OnboardingLinkFailure = 'no_open_account' | 'stripe_unavailable';

/**
 * A fresh Stripe Account Link for the tenant's onboarding, returning to the tenant's admin pages
 * under `appUrl()`. Links are single-use and expire within minutes, so each call makes a new one.
 * `appUrl` is read only once there is an account: a tenant without one is told so whatever the
 * request's origin.
 */
export async function createOnboardingLink(
  env: { platform: PlatformClient; stripe: Stripe; logger: Logger },
  input: { tenantSlug: string; appUrl: () => string },
): Promise<Result<{ url: string; expiresAt: Date }, OnboardingLinkFailure>> {
  const account = await findBillingAccount(env.platform, input.tenantSlug);
  if (!account || account.closedAt) return fail('no_open_account');
  const base = input.appUrl();
  try {
    const link = await env.stripe.accountLinks.create({
      account: account.stripeAccountId,
      type: 'account_onboarding',
      refresh_url: `${base}/admin/billing/onboarding?refresh=1`,
      return_url: `${base}/admin/billing/onboarding?done=1`,
    });
    return ok({ url: link.url, expiresAt: new Date(link.expires_at * 1000) });
  } catch (error) {
    env.logger.error({ err: error }, 'account link creation failed');
    return fail('stripe_unavailable');
  }
}
