import type { ConnectAccounts } from '@mindbot/stripe-connect';

/**
 * The billing step of a tenant's reconcile (its Stripe Connect account, `@mindbot/stripe-connect`),
 * when the operator is configured with a Stripe key. Absent, `BillingReady` says `NotConfigured` and
 * Ready does not wait for it.
 */
export interface BillingStep {
  accounts: Pick<ConnectAccounts, 'ensure' | 'current' | 'close'>;
  /** How often a tenant whose account cannot sell yet (onboarding, disabled charges) is looked at again. */
  recheckMs: number;
}

/**
 * Reasons `BillingReady` takes from the Connect account itself, i.e. after an `ensure` that
 * succeeded. Only then may an unchanged Tenant be re-checked from the recorded state alone.
 */
export const BILLING_STATE_REASONS: ReadonlySet<string> = new Set([
  'SalesOpen',
  'OnboardingIncomplete',
  'ChargesDisabled',
  'AccountClosed',
]);

const STRIPE_REASONS: Readonly<Record<string, string>> = {
  StripeConnectionError: 'StripeUnavailable',
  StripeAuthenticationError: 'StripeAuthenticationFailed',
  StripePermissionError: 'StripePermissionDenied',
  StripeRateLimitError: 'StripeRateLimited',
};

/** The `reason` of a Stripe SDK error (its `type` is `Stripe…Error`), or undefined for anything else. */
export function stripeReasonOf(error: unknown): string | undefined {
  const type: unknown = error instanceof Error ? (error as { type?: unknown }).type : undefined;
  if (typeof type !== 'string' || !type.startsWith('Stripe')) return undefined;
  return STRIPE_REASONS[type] ?? 'StripeError';
}
