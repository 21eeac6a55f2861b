import type { TenantScope } from '@mindbot/db';
import { newId } from '@mindbot/ids';
import type { Logger } from '@mindbot/logger';
import { applicationFeeCents } from './money.js';
import { fail, ok, type Result } from '@mindbot/errors';
import type { Stripe } from '@mindbot/stripe-connect';

interface PurchaseRow {
  id: string;
  packageId: string;
  packageName: string;
  amountCents: number;
  currency: string;
  seconds: number;
  status: string;
  checkoutUrl: string | null;
  checkoutSessionId: string | null;
  createdAt: Date;
  paidAt: Date | null;
}

/** A purchase as its buyer sees it: the Checkout session stays inside billing. */
export type PurchaseView = Omit<PurchaseRow, 'checkoutSessionId'>;

/** Field by field: rows carry more (the buyer, Stripe ids) than the answer may show. */
export function purchaseView(p: PurchaseRow): PurchaseView {
  return {
    id: p.id,
    packageId: p.packageId,
    packageName: p.packageName,
    amountCents: p.amountCents,
    currency: p.currency,
    seconds: p.seconds,
    status: p.status,
    // The Checkout link only while it can still be paid.
    checkoutUrl: p.status === 'pending' ? p.checkoutUrl : null,
    createdAt: p.createdAt,
    paidAt: p.paidAt,
  };
}

export interface PurchaseContext {
  scope: TenantScope;
  stripe: Stripe;
  logger: Logger;
  stripeAccountId: string;
  feePercent: number;
  /** Where Checkout sends the buyer back, e.g. https://voice.acme.example */
  appUrl: string;
}

export type PurchaseFailure = 'package_not_found' | 'checkout_unavailable';

export interface PurchaseInput {
  userId: string;
  packageId: string;
  requestKey: string | null;
  /** The page Checkout returns to (already checked to be one of the tenant's origins); else the purchase page under appUrl. */
  returnUrl?: string;
}

/**
 * Where Checkout sends the buyer back. With a `returnUrl` (the page the widget is on): that page
 * with `mindbot_checkout=success|cancel&mindbot_purchase=<id>` added to its own query (any earlier
 * result of ours replaced) and its fragment dropped. Else the purchase page under appUrl.
 */
export function checkoutReturnUrls(appUrl: string, purchaseId: string, returnUrl?: string): { success: string; cancel: string } {
  if (returnUrl === undefined) {
    return {
      success: `${appUrl}/billing/purchases/${purchaseId}?checkout=success`,
      cancel: `${appUrl}/billing/purchases/${purchaseId}?checkout=cancelled`,
    };
  }
  const page = (result: 'success' | 'cancel'): string => {
    const url = new URL(returnUrl);
    url.hash = '';
    // The page's own query stays as written (URLSearchParams would re-encode it); only our keys are replaced.
    const own = url.search
      .slice(1)
      .split('&')
      .filter((part) => part !== '' && !OUR_KEYS.has(decodeKey(part)));
    const ours = `mindbot_checkout=${result}&mindbot_purchase=${encodeURIComponent(purchaseId)}`;
    url.search = [...own, ours].join('&');
    return url.href;
  };
  return { success: page('success'), cancel: page('cancel') };
}

const OUR_KEYS = new Set(['mindbot_checkout', 'mindbot_purchase']);

function decodeKey(part: string): string {
  const key = part.split('=', 1)[0] ?? '';
  try {
    return decodeURIComponent(key.replaceAll('+', ' '));
  } catch {
    return key;
  }
}

/**
 * Starts a purchase: a pending purchase row, then a Checkout Session on the tenant's connected
 * account (a direct charge with the platform's application fee). The session is created with an
 * idempotency key derived from the purchase, and a client `requestKey` makes the whole call
 * idempotent: a retry answers the same purchase and checkout URL.
 */
export async function startPurchase(ctx: PurchaseContext, input: PurchaseInput): Promise<Result<PurchaseView, PurchaseFailure>> {
  const prepared = await ctx.scope.transaction(async (tx) => {
    if (input.requestKey !== null) {
      const again = await tx.purchase.findUnique({ where: { userId_requestKey: { userId: input.userId, requestKey: input.requestKey } } });
      if (again) return { purchase: again, packageDescription: '' };
    }
    const pkg = await tx.package.findFirst({ where: { id: input.packageId, active: true } });
    if (!pkg) return undefined;
    const purchase = await tx.purchase.create({
      data: {
        id: newId('purchase'),
        userId: input.userId,
        packageId: pkg.id,
        packageName: pkg.name,
        amountCents: pkg.priceCents,
        currency: pkg.currency,
        applicationFeeCents: applicationFeeCents(pkg.priceCents, ctx.feePercent),
        seconds: pkg.baseSeconds + pkg.bonusSeconds,
        requestKey: input.requestKey,
      },
    });
    return { purchase, packageDescription: pkg.description };
  });
  if (!prepared) return fail('package_not_found');
  const { purchase } = prepared;
  if (purchase.checkoutUrl !== null || purchase.status !== 'pending') return ok(purchaseView(purchase));

  const returnTo = checkoutReturnUrls(ctx.appUrl, purchase.id, input.returnUrl);
  let session: Stripe.Checkout.Session;
  try {
    session = await ctx.stripe.checkout.sessions.create(
      {
        mode: 'payment',
        line_items: [
          {
            quantity: 1,
            price_data: {
              currency: purchase.currency,
              unit_amount: purchase.amountCents,
              product_data: {
                name: `${purchase.packageName} time card`,
                ...(prepared.packageDescription ? { description: prepared.packageDescription } : {}),
              },
            },
          },
        ],
        payment_intent_data: {
          application_fee_amount: purchase.applicationFeeCents,
          metadata: { mindbot_purchase: purchase.id, mindbot_tenant: ctx.scope.slug },
        },
        client_reference_id: purchase.id,
        metadata: { mindbot_purchase: purchase.id, mindbot_tenant: ctx.scope.slug },
        success_url: returnTo.success,
        cancel_url: returnTo.cancel,
      },
      { stripeAccount: ctx.stripeAccountId, idempotencyKey: `mindbot:checkout:${ctx.scope.slug}:${purchase.id}` },
    );
  } catch (error) {
    ctx.logger.error({ err: error, purchaseId: purchase.id }, 'checkout session creation failed');
    await ctx.scope.transaction((tx) =>
      tx.purchase.updateMany({
        where: { id: purchase.id, status: 'pending', checkoutSessionId: null },
        data: { status: 'failed', updatedAt: new Date() },
      }),
    );
    return fail('checkout_unavailable');
  }
  const saved = await ctx.scope.transaction(async (tx) => {
    await tx.purchase.updateMany({
      where: { id: purchase.id, checkoutSessionId: null },
      data: { checkoutSessionId: session.id, checkoutUrl: session.url, updatedAt: new Date() },
    });
    return tx.purchase.findUniqueOrThrow({ where: { id: purchase.id } });
  });
  return ok(purchaseView(saved));
}

export async function listPurchases(scope: TenantScope, userId: string): Promise<PurchaseView[]> {
  const rows = await scope.transaction((tx) => tx.purchase.findMany({ where: { userId }, orderBy: { createdAt: 'desc' }, take: 200 }));
  return rows.map(purchaseView);
}
