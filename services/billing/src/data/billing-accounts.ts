import type { PlatformClient } from '@mindbot/db';
import type { Stripe } from '../domain/stripe-client.js';

/** What billing knows about a tenant's Connect account (platform schema). */
export interface AccountState {
  chargesEnabled: boolean;
  payoutsEnabled: boolean;
  detailsSubmitted: boolean;
  cardPayments: string;
  disabledReason: string | null;
  requirementsDue: string[];
}

export function accountStateOf(account: Stripe.Account): AccountState {
  return {
    chargesEnabled: account.charges_enabled,
    payoutsEnabled: account.payouts_enabled,
    detailsSubmitted: account.details_submitted,
    cardPayments: account.capabilities?.card_payments ?? 'unrequested',
    disabledReason: account.requirements?.disabled_reason ?? null,
    requirementsDue: account.requirements?.currently_due ?? [],
  };
}

export function findBillingAccount(platform: PlatformClient, tenantSlug: string) {
  return platform.billingAccount.findUnique({ where: { tenantSlug } });
}

export function findBillingAccountByStripeId(platform: PlatformClient, stripeAccountId: string) {
  return platform.billingAccount.findUnique({ where: { stripeAccountId } });
}

/** Records the account once; a concurrent or repeated call keeps the first row. */
export async function recordBillingAccount(platform: PlatformClient, row: { tenantSlug: string; stripeAccountId: string; livemode: boolean; state: AccountState; asOf: Date }): Promise<boolean> {
  const { count } = await platform.billingAccount.createMany({
    data: [{ tenantSlug: row.tenantSlug, stripeAccountId: row.stripeAccountId, livemode: row.livemode, ...row.state, stateAsOf: row.asOf }],
    skipDuplicates: true,
  });
  return count > 0;
}

/**
 * Applies an account state observed at `asOf` unless a newer one was applied already, so
 * `account.updated` events delivered out of order never roll the state back.
 */
export async function applyAccountState(platform: PlatformClient, stripeAccountId: string, state: AccountState, asOf: Date): Promise<boolean> {
  const { count } = await platform.billingAccount.updateMany({
    where: { stripeAccountId, stateAsOf: { lte: asOf } },
    data: { ...state, stateAsOf: asOf, updatedAt: new Date() },
  });
  return count > 0;
}

/**
 * Records the state `ensure` read from Stripe, asked at `asOf`, unless the recorded state is as of
 * that second or later. Strictly older only: an `account.updated` created in the same second may
 * describe a change Stripe made after answering the read (event times are whole seconds), so on a
 * tie the event's view stays. Answers whether it was written.
 */
export async function refreshAccountState(platform: PlatformClient, tenantSlug: string, state: AccountState, asOf: Date): Promise<boolean> {
  const { count } = await platform.billingAccount.updateMany({
    where: { tenantSlug, closedAt: null, stateAsOf: { lt: asOf } },
    data: { ...state, stateAsOf: asOf, updatedAt: new Date() },
  });
  return count > 0;
}
