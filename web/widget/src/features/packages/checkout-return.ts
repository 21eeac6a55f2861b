export type CheckoutResult = 'success' | 'cancel';

/**
 * The purchase result the page's URL carries after Stripe Checkout: the widget's own
 * `?mindbot_checkout=success|cancel`, or billing's return (`…/billing/purchases/<id>?checkout=success|cancelled`).
 */
export function checkoutResultOf(href: string): CheckoutResult | undefined {
  const url = new URL(href);
  const own = url.searchParams.get('mindbot_checkout');
  const billing = url.pathname.includes('/billing/purchases/') ? url.searchParams.get('checkout') : null;
  const value = own ?? billing;
  if (value === 'success') return 'success';
  if (value === 'cancel' || value === 'cancelled') return 'cancel';
  return undefined;
}

/** The purchase the return is about: `mindbot_purchase=<id>`, or the id in billing's `…/billing/purchases/<id>` page. */
export function purchaseIdOf(href: string): string | undefined {
  const url = new URL(href);
  const own = url.searchParams.get('mindbot_purchase')?.trim();
  if (own) return own;
  const billing = /\/billing\/purchases\/([^/?#]+)/.exec(url.pathname)?.[1];
  return billing ? decodeURIComponent(billing) : undefined;
}

/** The URL without the checkout result, for history.replaceState (a reload does not show it again). */
export function withoutCheckoutResult(href: string): string {
  const url = new URL(href);
  url.searchParams.delete('mindbot_checkout');
  url.searchParams.delete('mindbot_purchase');
  if (url.pathname.includes('/billing/purchases/')) url.searchParams.delete('checkout');
  return url.href;
}
