import { recordAudit } from '@mindbot/audit';
import type { PlatformClient, TenantClients } from '@mindbot/db';
import { fail, ok, type Result } from '@mindbot/errors';
import type { Logger } from '@mindbot/logger';
import { findBillingAccount, type Stripe } from '@mindbot/stripe-connect';
import type { CatalogueChange } from './packages.js';

export type OnboardingLinkFailure = 'no_open_account' | 'stripe_unavailable';

/**
 * A fresh Stripe Account Link for the tenant's onboarding, returning to the tenant's admin pages
 * under `appUrl()`. Links are single-use and expire within minutes, so each call makes a new one.
 * `appUrl` is read only once there is an account: a tenant without one is told so whatever the
 * request's origin. Each link made is in the tenant's audit log with the admin who asked.
 */
export async function createOnboardingLink(
  env: { platform: PlatformClient; tenants: TenantClients; stripe: Stripe; logger: Logger },
  input: { tenantSlug: string; appUrl: () => string; by: CatalogueChange },
): Promise<Result<{ url: string; expiresAt: Date }, OnboardingLinkFailure>> {
  const account = await findBillingAccount(env.platform, input.tenantSlug);
  if (!account || account.closedAt) return fail('no_open_account');
  const base = input.appUrl();
  let link: Stripe.AccountLink;
  try {
    link = await env.stripe.accountLinks.create({
      account: account.stripeAccountId,
      type: 'account_onboarding',
      refresh_url: `${base}/admin/billing/onboarding?refresh=1`,
      return_url: `${base}/admin/billing/onboarding?done=1`,
    });
  } catch (error) {
    env.logger.error({ err: error }, 'account link creation failed');
    return fail('stripe_unavailable');
  }
  const expiresAt = new Date(link.expires_at * 1000);
  await env.tenants.forTenant(input.tenantSlug).transaction((tx) =>
    recordAudit(tx, {
      action: 'billing.onboarding_link_created',
      actorId: input.by.actorId,
      target: account.stripeAccountId,
      data: { expiresAt: expiresAt.toISOString() },
      requestId: input.by.requestId,
    }),
  );
  return ok({ url: link.url, expiresAt });
}
