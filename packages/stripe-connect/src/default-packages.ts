import type { TenantSpec } from '@mindbot/tenancy';

// The default packages every tenant starts with (seeded by tenant migration 0003 in USD) and their
// list prices in each currency a tenant may sell in. Prices are in the currency's minor unit, as
// Stripe takes them: cents for USD/EUR/GBP/CAD/AUD/SGD, whole yen for JPY (no minor unit). They are
// fixed price points chosen per currency (roughly the USD price, rounded to what buyers in that
// currency expect), not a live exchange rate; tenant admins can change them.

export type BillingCurrency = TenantSpec['billing']['currency'];

export const DEFAULT_PACKAGE_IDS = ['pkg_starter', 'pkg_basic', 'pkg_premium', 'pkg_pro', 'pkg_enterprise'] as const;
export type DefaultPackageId = (typeof DEFAULT_PACKAGE_IDS)[number];

export const DEFAULT_PACKAGE_PRICES: Readonly<Record<BillingCurrency, Readonly<Record<DefaultPackageId, number>>>> = {
  usd: { pkg_starter: 999, pkg_basic: 4499, pkg_premium: 7999, pkg_pro: 17999, pkg_enterprise: 29999 },
  eur: { pkg_starter: 999, pkg_basic: 4499, pkg_premium: 7999, pkg_pro: 17999, pkg_enterprise: 29999 },
  gbp: { pkg_starter: 899, pkg_basic: 3999, pkg_premium: 6999, pkg_pro: 15999, pkg_enterprise: 25999 },
  cad: { pkg_starter: 1399, pkg_basic: 5999, pkg_premium: 10999, pkg_pro: 24999, pkg_enterprise: 39999 },
  aud: { pkg_starter: 1499, pkg_basic: 6999, pkg_premium: 11999, pkg_pro: 26999, pkg_enterprise: 44999 },
  sgd: { pkg_starter: 1399, pkg_basic: 5999, pkg_premium: 10999, pkg_pro: 23999, pkg_enterprise: 39999 },
  jpy: { pkg_starter: 1500, pkg_basic: 6800, pkg_premium: 12000, pkg_pro: 27000, pkg_enterprise: 45000 },
};

const isBillingCurrency = (currency: string): currency is BillingCurrency => Object.hasOwn(DEFAULT_PACKAGE_PRICES, currency);

/**
 * Whether a seeded package still has its default price for its currency, i.e. no admin has priced
 * it: only such packages are re-priced when the tenant's currency changes.
 */
export function isUntouchedDefault(pkg: {
  id: string;
  currency: string;
  priceCents: number;
}): pkg is { id: DefaultPackageId; currency: BillingCurrency; priceCents: number } {
  const id = DEFAULT_PACKAGE_IDS.find((d) => d === pkg.id);
  return id !== undefined && isBillingCurrency(pkg.currency) && DEFAULT_PACKAGE_PRICES[pkg.currency][id] === pkg.priceCents;
}
