// Payments on a platform that runs against stripe-mock (`npm start`): what Stripe itself would send
// billing once a tenant finished onboarding and once a buyer paid a Checkout Session, signed with
// the webhook secret billing verifies and posted to billing's real webhook route, so the events
// take exactly the path they take in production. Never in live mode.
// Decision: docs/adr/0051-local-payments-on-stripe-mock.md.
import { createHash, randomBytes } from 'node:crypto';
import { createStripeClient, type Stripe } from '@mindbot/stripe-connect';
import type { PlatformClient, TenantClients } from '@mindbot/db';

export interface WebhookTarget {
  /** Billing's base URL; events go to `${billingUrl}/v1/webhooks/stripe`. */
  billingUrl: string;
  /** The secret billing verifies signatures with (STRIPE_WEBHOOK_SECRET). */
  webhookSecret: string;
  livemode: boolean;
  /** The platform's Stripe key, when known: a live key is refused like live mode. */
  secretKey?: string | undefined;
}

export class LocalPaymentsRefused extends Error {}

/** Refuses anything that could touch real money: live mode, a live key, or a production process. */
export function assertLocalPayments(target: WebhookTarget, nodeEnv: string | undefined): void {
  if (target.livemode)
    throw new LocalPaymentsRefused('Refused: STRIPE_LIVEMODE is on. Live payments are completed by Stripe, never by this command.');
  if (target.secretKey && /^(sk|rk)_live_/.test(target.secretKey))
    throw new LocalPaymentsRefused(
      'Refused: STRIPE_SECRET_KEY is a live key. Live payments are completed by Stripe, never by this command.',
    );
  if (nodeEnv === 'production')
    throw new LocalPaymentsRefused('Refused: NODE_ENV is production. This command only simulates payments on a local or test platform.');
}

export interface Delivery {
  status: number;
  outcome: string;
  reason?: string | undefined;
  tenant?: string | undefined;
}

/** Signs `event` as Stripe does (`t=…,v1=…` over the exact body) and posts it to billing's webhook route. */
export async function deliverSignedEvent(target: WebhookTarget, event: Record<string, unknown>): Promise<Delivery> {
  const payload = JSON.stringify(event);
  // Signing needs no key and makes no call: any client's webhooks helper signs the same way.
  const signer: Stripe = createStripeClient({ secretKey: target.secretKey ?? 'sk_test_local_signer' });
  const signature = signer.webhooks.generateTestHeaderString({ payload, secret: target.webhookSecret });
  const res = await fetch(new URL('/v1/webhooks/stripe', target.billingUrl), {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'stripe-signature': signature },
    body: payload,
    signal: AbortSignal.timeout(15_000),
  });
  const answer = (await res.json().catch(() => ({}))) as { outcome?: unknown; reason?: unknown; tenant?: unknown; detail?: unknown };
  const text = (v: unknown) => (typeof v === 'string' ? v : undefined);
  return {
    status: res.status,
    outcome: text(answer.outcome) ?? (res.ok ? 'unknown' : 'refused'),
    reason: text(answer.reason) ?? text(answer.detail),
    tenant: text(answer.tenant),
  };
}

/** An event envelope as Stripe sends it for a connected account. */
function connectEvent(type: string, account: string, object: Record<string, unknown>, livemode: boolean): Record<string, unknown> {
  return {
    id: `evt_local_${randomBytes(12).toString('hex')}`,
    object: 'event',
    api_version: null,
    created: Math.floor(Date.now() / 1000),
    livemode,
    type,
    account,
    pending_webhooks: 1,
    request: { id: null, idempotency_key: null },
    data: { object },
  };
}

export interface AccountReadiness {
  tenant: string;
  stripeAccountId: string;
  delivery: Delivery;
}

/**
 * For every open Connect account of a tenant homed here: the `account.updated` Stripe sends when
 * onboarding is done (details submitted, card payments and transfers active, charges and payouts
 * on, nothing due), built on the account as Stripe (stripe-mock) answers it. stripe-mock answers
 * every account with charges off and cannot be onboarded, so without this no local tenant can sell.
 */
export async function completeLocalOnboarding(
  platform: PlatformClient,
  stripe: Stripe,
  target: WebhookTarget,
): Promise<AccountReadiness[]> {
  const accounts = await platform.billingAccount.findMany({
    where: { closedAt: null },
    select: { tenantSlug: true, stripeAccountId: true },
    orderBy: { tenantSlug: 'asc' },
  });
  const home = new Set((await platform.tenant.findMany({ where: { home: true }, select: { slug: true } })).map((t) => t.slug));
  const results: AccountReadiness[] = [];
  for (const { tenantSlug, stripeAccountId } of accounts.filter((a) => home.has(a.tenantSlug))) {
    const account = await stripe.accounts.retrieve(stripeAccountId);
    const onboarded = {
      ...account,
      id: stripeAccountId,
      charges_enabled: true,
      payouts_enabled: true,
      details_submitted: true,
      capabilities: { ...account.capabilities, card_payments: 'active', transfers: 'active' },
      requirements: { ...account.requirements, currently_due: [], past_due: [], eventually_due: [], disabled_reason: null },
    };
    results.push({
      tenant: tenantSlug,
      stripeAccountId,
      delivery: await deliverSignedEvent(target, connectEvent('account.updated', stripeAccountId, onboarded, target.livemode)),
    });
  }
  return results;
}

export type CheckoutCompletion =
  | { result: 'delivered'; tenant: string; purchaseId: string; checkoutSessionId: string; delivery: Delivery }
  | { result: 'unknown_purchase' | 'no_checkout_session' | 'no_billing_account'; tenant?: string }
  | { result: 'not_payable'; tenant: string; status: string };

/**
 * Completes a purchase's Checkout Session as Stripe does when the buyer pays: a signed
 * `checkout.session.completed` (payment_status `paid`) for the session billing recorded for the
 * purchase, on the tenant's connected account, posted to billing's webhook route, which fulfils it
 * (purchase paid, time card issued) exactly as in production. The session is found by the purchase
 * id in the tenant's records, since the API never shows it. `tenant` narrows the search; without it
 * every tenant homed in this database is searched.
 */
export async function completeCheckout(
  platform: PlatformClient,
  tenants: TenantClients,
  target: WebhookTarget,
  input: { purchaseId: string; tenant?: string | undefined },
): Promise<CheckoutCompletion> {
  const home = await platform.tenant.findMany({
    where: { home: true, ...(input.tenant ? { slug: input.tenant } : {}) },
    select: { slug: true },
    orderBy: { slug: 'asc' },
  });
  for (const { slug } of home) {
    const purchase = await tenants.forTenant(slug).transaction((tx) => tx.purchase.findUnique({ where: { id: input.purchaseId } }));
    if (!purchase) continue;
    if (purchase.status !== 'pending' && purchase.status !== 'processing')
      return { result: 'not_payable', tenant: slug, status: purchase.status };
    if (!purchase.checkoutSessionId) return { result: 'no_checkout_session', tenant: slug };
    const account = await platform.billingAccount.findUnique({
      where: { tenantSlug: slug },
      select: { stripeAccountId: true, closedAt: true },
    });
    if (!account || account.closedAt) return { result: 'no_billing_account', tenant: slug };
    const sessionId = purchase.checkoutSessionId;
    const session = {
      id: sessionId,
      object: 'checkout.session',
      mode: 'payment',
      status: 'complete',
      payment_status: 'paid',
      amount_subtotal: purchase.amountCents,
      amount_total: purchase.amountCents,
      currency: purchase.currency,
      client_reference_id: purchase.id,
      metadata: { mindbot_purchase: purchase.id, mindbot_tenant: slug },
      // Stripe creates the payment intent when the buyer pays: one of its own per session.
      payment_intent: `pi_local_${createHash('sha256').update(sessionId).digest('hex').slice(0, 24)}`,
      livemode: target.livemode,
      created: Math.floor(purchase.createdAt.getTime() / 1000),
      url: null,
    };
    const delivery = await deliverSignedEvent(
      target,
      connectEvent('checkout.session.completed', account.stripeAccountId, session, target.livemode),
    );
    return { result: 'delivered', tenant: slug, purchaseId: purchase.id, checkoutSessionId: sessionId, delivery };
  }
  return { result: 'unknown_purchase' };
}
