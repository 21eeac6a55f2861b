import type { PlatformClient } from '@mindbot/db';
import type Stripe from 'stripe';

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
export async function recordBillingAccount(
  platform: PlatformClient,
  row: { tenantSlug: string; stripeAccountId: string; livemode: boolean; state: AccountState; asOf: Date },
): Promise<boolean> {
  const { count } = await platform.billingAccount.createMany({
    data: [{ tenantSlug: row.tenantSlug, stripeAccountId: row.stripeAccountId, livemode: row.livemode, ...row.state, stateAsOf: row.asOf }],
    skipDuplicates: true,
  });
  return count > 0;
}

/**
 * Applies an account state observed at `asOf` unless a newer one was applied already, so
 * `account.updated` events delivered out of order never roll the state back. Answers `changed` when
 * the recorded state differs now, `same` when it already was this state (only its time moved
 * forward), `older` when a newer state is recorded (or no account). The row is locked between the
 * comparison and the write, so concurrent events cannot make the answer wrong.
 */
export async function applyAccountState(
  platform: PlatformClient,
  stripeAccountId: string,
  state: AccountState,
  asOf: Date,
): Promise<'changed' | 'same' | 'older'> {
  return platform.$transaction(async (tx) => {
    const [current] = await tx.$queryRaw<RecordedState[]>`
      SELECT charges_enabled, payouts_enabled, details_submitted, card_payments, disabled_reason, requirements_due, state_as_of
      FROM platform.billing_accounts WHERE stripe_account_id = ${stripeAccountId} FOR UPDATE`;
    if (!current || current.state_as_of > asOf) return 'older';
    await tx.billingAccount.update({ where: { stripeAccountId }, data: { ...state, stateAsOf: asOf, updatedAt: new Date() } });
    return sameState(current, state) ? 'same' : 'changed';
  });
}

interface RecordedState {
  charges_enabled: boolean;
  payouts_enabled: boolean;
  details_submitted: boolean;
  card_payments: string;
  disabled_reason: string | null;
  requirements_due: string[];
  state_as_of: Date;
}

function sameState(recorded: RecordedState, state: AccountState): boolean {
  return (
    recorded.charges_enabled === state.chargesEnabled &&
    recorded.payouts_enabled === state.payoutsEnabled &&
    recorded.details_submitted === state.detailsSubmitted &&
    recorded.card_payments === state.cardPayments &&
    recorded.disabled_reason === state.disabledReason &&
    recorded.requirements_due.length === state.requirementsDue.length &&
    recorded.requirements_due.every((item, i) => item === state.requirementsDue[i])
  );
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
