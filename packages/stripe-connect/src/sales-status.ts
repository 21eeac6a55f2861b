/** Whether a tenant can sell right now and, when not, why, in words a tenant admin can act on. */
export interface SalesStatus {
  salesOpen: boolean;
  reason: string | null;
  requirementsDue: string[];
}

export function salesStatusOf(
  account: {
    chargesEnabled: boolean;
    cardPayments: string;
    disabledReason: string | null;
    detailsSubmitted: boolean;
    requirementsDue: string[];
    closedAt?: Date | null;
  } | null,
): SalesStatus {
  if (!account)
    return {
      salesOpen: false,
      reason: 'No Stripe account is connected yet: billing provisioning has not run for this tenant.',
      requirementsDue: [],
    };
  const due = account.requirementsDue;
  if (account.closedAt) return { salesOpen: false, reason: 'The Stripe account of this tenant is closed.', requirementsDue: due };
  if (account.chargesEnabled && account.cardPayments === 'active') return { salesOpen: true, reason: null, requirementsDue: due };
  if (account.disabledReason)
    return {
      salesOpen: false,
      reason: `Stripe has disabled card payments on this account (${account.disabledReason}).`,
      requirementsDue: due,
    };
  if (!account.detailsSubmitted)
    return {
      salesOpen: false,
      reason: 'Stripe onboarding is not finished: request an onboarding link and complete it.',
      requirementsDue: due,
    };
  if (account.cardPayments !== 'active')
    return { salesOpen: false, reason: `The card payments capability is ${account.cardPayments}.`, requirementsDue: due };
  return { salesOpen: false, reason: 'Stripe does not allow charges on this account yet.', requirementsDue: due };
}
