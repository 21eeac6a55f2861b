import { recordAudit } from '@mindbot/audit';
import type { PlatformClient, TenantClients, TenantScope, TenantTransaction } from '@mindbot/db';
import { OUTBOX_CHANNEL, PLATFORM_EVENT_QUEUE, WEBHOOK_DELIVERY_QUEUE } from '@mindbot/jobs';
import type { Logger } from '@mindbot/logger';
import { webhookEventDataSchemas } from '@mindbot/sdk/schemas';
import {
  accountStateOf,
  applyAccountState,
  findBillingAccountByStripeId,
  salesStatusOf,
  type AccountState,
  type Stripe,
} from '@mindbot/stripe-connect';
import { debitLots, lockLotAfterCapture } from '../data/minute-ledger.js';
import { newActivationCode } from './activation-code.js';
import { secondsRefunded } from './refund-share.js';

// Connect webhook events, routed to the tenant by `event.account`. Each tenant event is recorded in
// the tenant's processed_webhook_events in the same transaction as its effect, so a repeated
// delivery changes nothing. Effects are also idempotent by business key (one time card per
// purchase) and only move a purchase forward (paid beats pending/failed/expired; refunded and
// disputed beat paid; a refunded amount only grows), so any delivery order ends in the same state.
//
// The answer says what the delivery did: `applied` only when it changed something; `unchanged` when
// the state already says what the event says, or something later (a second success event for one
// checkout, an expiry for a paid purchase, a refund total already taken back, an account.updated
// older than or equal to the recorded state), with the reason; `duplicate` for an event id already
// processed; `ignored` for an event that does not apply here (with the reason: another mode, an
// unknown purchase, a mismatch, a type not handled, parked).

/** A code must be activated within a year of the purchase. */
export const CODE_LIFETIME_MS = 365 * 24 * 60 * 60 * 1000;

export interface StripeEventContext {
  platform: PlatformClient;
  tenants: TenantClients;
  stripe: Stripe;
  logger: Logger;
  livemode: boolean;
}

export interface EventOutcome {
  outcome: 'applied' | 'unchanged' | 'duplicate' | 'ignored';
  reason?: string;
  tenant?: string;
}

/** What one event did to the state: changed it, found it already so (with why), or was not applied (with why). */
type Effect = { outcome: 'applied' } | { outcome: 'unchanged' | 'ignored'; reason: string };

const APPLIED: Effect = { outcome: 'applied' };
const ignored = (reason: string): Effect => ({ outcome: 'ignored', reason });
/** The purchase already is where the event would take it, or past it. */
const alreadyThere = (purchase: { status: string }): Effect => ({ outcome: 'unchanged', reason: `already_${purchase.status}` });

const TENANT_EVENT_TYPES = new Set([
  'checkout.session.completed',
  'checkout.session.async_payment_succeeded',
  'checkout.session.async_payment_failed',
  'checkout.session.expired',
  'payment_intent.payment_failed',
  'charge.refunded',
  'charge.dispute.created',
]);

const idOf = (value: string | { id: string } | null | undefined): string | null =>
  value === null || value === undefined ? null : typeof value === 'string' ? value : value.id;

/** How long a Stripe account's tenant is remembered (see tenantOfAccount), and for how many accounts. */
const TENANT_OF_ACCOUNT_TTL_MS = 30_000;
const TENANT_OF_ACCOUNT_MAX = 10_000;
const tenantsOfAccounts = new WeakMap<PlatformClient, Map<string, { tenant: string; until: number }>>();

/**
 * The tenant a Stripe account's events go to, remembered for a short while: every fulfilment and
 * every repeated delivery asked the platform database again for the same answer. Only a recorded
 * account is remembered (an unknown one is asked again each time, so its events are parked and
 * later applied as before). The answer only changes when a closed tenant's slug is provisioned
 * again with a new account; an event of the old account routed to it meanwhile finds no purchase of
 * its own there (unknown_purchase) and changes nothing.
 */
async function tenantOfAccount(platform: PlatformClient, accountId: string): Promise<string | null> {
  let known = tenantsOfAccounts.get(platform);
  if (!known) {
    known = new Map();
    tenantsOfAccounts.set(platform, known);
  }
  const now = performance.now();
  const remembered = known.get(accountId);
  if (remembered && remembered.until > now) return remembered.tenant;
  const account = await findBillingAccountByStripeId(platform, accountId);
  if (!account) {
    known.delete(accountId);
    return null;
  }
  known.delete(accountId);
  if (known.size >= TENANT_OF_ACCOUNT_MAX) {
    const oldest = known.keys().next();
    if (!oldest.done) known.delete(oldest.value);
  }
  known.set(accountId, { tenant: account.tenantSlug, until: now + TENANT_OF_ACCOUNT_TTL_MS });
  return account.tenantSlug;
}

export async function handleStripeEvent(ctx: StripeEventContext, event: Stripe.Event, now: Date): Promise<EventOutcome> {
  if (event.livemode !== ctx.livemode) return { outcome: 'ignored', reason: 'livemode_mismatch' };
  const accountId = event.account;
  if (!accountId) return { outcome: 'ignored', reason: 'not_a_connect_event' };
  if (event.type === 'account.updated') {
    const account = await findBillingAccountByStripeId(ctx.platform, accountId);
    if (!account) return { outcome: 'ignored', reason: 'unknown_account' };
    const tenant = account.tenantSlug;
    const state = accountStateOf(event.data.object);
    const applied = await applyAccountState(ctx.platform, accountId, state, new Date(event.created * 1000));
    if (applied === 'changed') {
      await auditAccountChange(ctx.tenants, tenant, event, { before: salesStatusOf(account).salesOpen, state, closedAt: account.closedAt });
      return { outcome: 'applied', tenant };
    }
    return { outcome: 'unchanged', reason: applied === 'same' ? 'same_state' : 'older_than_current_state', tenant };
  }
  const tenant = await tenantOfAccount(ctx.platform, accountId);
  if (tenant === null) return { outcome: 'ignored', reason: 'unknown_account' };
  if (!TENANT_EVENT_TYPES.has(event.type)) return { outcome: 'ignored', reason: 'unhandled_type', tenant };
  if (event.type === 'checkout.session.completed' || event.type === 'checkout.session.async_payment_succeeded')
    return { ...(await applyCheckoutSuccess(ctx.tenants, ctx.tenants.forTenant(tenant), ctx.logger, event, now)), tenant };

  // Order matters for refunds and disputes that arrive before the purchase was fulfilled: the
  // payment intent is then re-read from Stripe for the purchase it belongs to (outside the transaction).
  let purchaseHint: string | null = null;
  if (event.type === 'charge.refunded' || event.type === 'charge.dispute.created') {
    const paymentIntent = idOf(event.data.object.payment_intent);
    if (paymentIntent) purchaseHint = await purchaseOfPaymentIntent(ctx, tenant, accountId, paymentIntent);
  }

  return ctx.tenants.forTenant(tenant).transaction(async (tx) => {
    const recorded = await tx.$queryRaw<{ event_id: string }[]>`
      INSERT INTO processed_webhook_events (event_id, type) VALUES (${event.id}, ${event.type})
      ON CONFLICT (event_id) DO NOTHING RETURNING event_id`;
    if (recorded.length === 0) return { outcome: 'duplicate', tenant };
    return { ...(await applyTenantEvent(tx, ctx.logger, event, purchaseHint, now)), tenant };
  });
}

/**
 * Puts a change of the tenant's Stripe account in its audit log (Stripe is the actor): the new
 * state, and whether sales opened or closed with it, under its own action so an admin can filter
 * for it. Written after the platform's row changed; an event delivered again finds the state the
 * same and writes nothing twice.
 */
async function auditAccountChange(
  tenants: TenantClients,
  tenant: string,
  event: Stripe.Event,
  change: { before: boolean; state: AccountState; closedAt: Date | null },
): Promise<void> {
  const after = salesStatusOf({ ...change.state, closedAt: change.closedAt });
  const data = {
    stripeEvent: event.id,
    chargesEnabled: change.state.chargesEnabled,
    payoutsEnabled: change.state.payoutsEnabled,
    detailsSubmitted: change.state.detailsSubmitted,
    cardPayments: change.state.cardPayments,
    disabledReason: change.state.disabledReason,
    requirementsDue: change.state.requirementsDue,
    salesOpen: after.salesOpen,
  };
  await tenants.forTenant(tenant).transaction(async (tx) => {
    await recordAudit(tx, { action: 'billing.account_updated', actorId: null, target: event.account ?? undefined, data });
    if (after.salesOpen !== change.before)
      await recordAudit(tx, {
        action: after.salesOpen ? 'billing.sales_opened' : 'billing.sales_closed',
        actorId: null,
        target: event.account ?? undefined,
        data: { stripeEvent: event.id, reason: after.reason },
      });
  });
}

async function purchaseOfPaymentIntent(
  ctx: StripeEventContext,
  tenant: string,
  accountId: string,
  paymentIntentId: string,
): Promise<string | null> {
  const known = await ctx.tenants
    .forTenant(tenant)
    .transaction((tx) => tx.purchase.findUnique({ where: { paymentIntentId }, select: { id: true } }));
  if (known) return known.id;
  const intent = await ctx.stripe.paymentIntents.retrieve(paymentIntentId, {}, { stripeAccount: accountId });
  return intent.metadata.mindbot_purchase ?? null;
}

type CheckoutSuccessEvent = Extract<Stripe.Event, { type: 'checkout.session.completed' | 'checkout.session.async_payment_succeeded' }>;

/** Codes drawn per fulfilment: the next is tried while one collides with another card's (≈ 59 bits each). */
const CODE_DRAWS = 5;

interface CheckoutSuccessRow {
  r_outcome: 'duplicate' | 'ignored' | 'unchanged' | 'applied';
  r_reason: string | null;
  r_purchase_id: string | null;
  /** The purchase.completed data when a card was issued. */
  r_data: unknown;
}

/**
 * A paid (or still paying) checkout, in one statement: apply_checkout_success
 * (prisma/migrations/tenant/0020_checkout_fulfilment_function.sql) records the event id, locks the
 * purchase, checks session, amount and currency, marks it paid, issues its one time card and queues
 * purchase.completed for the platform and the tenant's subscribed endpoints, as emitWebhookEvent
 * would. It runs over the light write path (BEGIN and the role switch pipelined with the statement,
 * then COMMIT: two round trips; Prisma's interactive transaction cost four and most of the CPU).
 * The data it queued is checked against the event's schema before the commit: a mismatch is a bug
 * here and rolls everything back, as emitWebhookEvent's check would.
 */
async function applyCheckoutSuccess(
  tenants: TenantClients,
  scope: TenantScope,
  logger: Logger,
  event: CheckoutSuccessEvent,
  now: Date,
): Promise<Omit<EventOutcome, 'tenant'>> {
  const session = event.data.object;
  const purchaseId = session.client_reference_id ?? session.metadata?.mindbot_purchase ?? null;
  const codes = Array.from({ length: CODE_DRAWS }, () => newActivationCode());
  const row = await scope.write(async (sql) => {
    const [r] = await sql<CheckoutSuccessRow>`
      SELECT * FROM apply_checkout_success(${event.id}::text, ${event.type}::text, ${purchaseId}::text, ${session.id}::text,
        ${session.amount_total}::bigint, ${session.currency}::text, ${session.payment_status !== 'unpaid'}::boolean,
        ${idOf(session.payment_intent)}::text, ${now}::timestamptz, ${codes}::text[],
        ${new Date(now.getTime() + CODE_LIFETIME_MS)}::timestamptz, ${now.toISOString()}::text,
        ${PLATFORM_EVENT_QUEUE}::text, ${WEBHOOK_DELIVERY_QUEUE}::text)`;
    if (!r) throw new Error('apply_checkout_success answered no row');
    if (r.r_data !== null) webhookEventDataSchemas['purchase.completed'].parse(r.r_data);
    return r;
  });
  // The outbox relay's wake-up, after the commit and batched with the process's others (as enqueue sends it).
  if (row.r_data !== null) tenants.commitNotifications.send(OUTBOX_CHANNEL, scope.schema);
  if (row.r_reason === 'amount_mismatch')
    logger.error(
      { purchaseId: row.r_purchase_id, eventId: event.id },
      'checkout amount or currency differs from the purchase; not fulfilled',
    );
  return row.r_reason === null ? { outcome: row.r_outcome } : { outcome: row.r_outcome, reason: row.r_reason };
}

interface LockedPurchase {
  id: string;
  user_id: string;
  package_id: string;
  status: string;
  amount_cents: number;
  currency: string;
  seconds: number;
  refunded_cents: number;
  checkout_session_id: string | null;
}

async function lockPurchase(
  tx: TenantTransaction,
  where: { id?: string | null; paymentIntentId?: string | null },
): Promise<LockedPurchase | undefined> {
  const id = where.id ?? null;
  const pi = where.paymentIntentId ?? null;
  const rows = await tx.$queryRaw<LockedPurchase[]>`
    SELECT id, user_id, package_id, status, amount_cents, currency, seconds, refunded_cents, checkout_session_id FROM purchases
    WHERE (${id}::text IS NOT NULL AND id = ${id}::text) OR (${pi}::text IS NOT NULL AND payment_intent_id = ${pi}::text)
    ORDER BY id LIMIT 1 FOR UPDATE`;
  return rows[0];
}

/** Applies one tenant event: what it changed, or why it changed nothing. */
async function applyTenantEvent(
  tx: TenantTransaction,
  logger: Logger,
  event: Stripe.Event,
  purchaseHint: string | null,
  now: Date,
): Promise<Effect> {
  switch (event.type) {
    case 'checkout.session.async_payment_failed':
    case 'checkout.session.expired': {
      const session = event.data.object;
      const purchase = await lockPurchase(tx, { id: session.client_reference_id ?? session.metadata?.mindbot_purchase ?? null });
      if (!purchase) return ignored('unknown_purchase');
      if (purchase.checkout_session_id !== null && purchase.checkout_session_id !== session.id) return ignored('checkout_session_mismatch');
      const status = event.type === 'checkout.session.expired' ? 'expired' : 'failed';
      const moved =
        await tx.$executeRaw`UPDATE purchases SET status = ${status}, updated_at = ${now} WHERE id = ${purchase.id} AND status IN ('pending', 'processing')`;
      return moved > 0 ? APPLIED : alreadyThere(purchase);
    }
    case 'payment_intent.payment_failed': {
      const intent = event.data.object;
      const purchase = await lockPurchase(tx, { id: intent.metadata.mindbot_purchase ?? null, paymentIntentId: intent.id });
      if (!purchase) return ignored('unknown_purchase');
      const moved =
        await tx.$executeRaw`UPDATE purchases SET status = 'failed', updated_at = ${now} WHERE id = ${purchase.id} AND status IN ('pending', 'processing')`;
      return moved > 0 ? APPLIED : alreadyThere(purchase);
    }
    case 'charge.refunded': {
      const charge = event.data.object;
      const purchase = await lockPurchase(tx, { id: purchaseHint, paymentIntentId: idOf(charge.payment_intent) });
      if (!purchase) return ignored('unknown_purchase');
      // `amount_refunded` is cumulative over all the charge's refunds; `refunded` says it is whole.
      const refundedCents = charge.refunded ? purchase.amount_cents : charge.amount_refunded;
      const already = await applyRefund(tx, purchase, refundedCents, now);
      if (already !== null) return { outcome: 'unchanged', reason: already };
      await recordAudit(tx, {
        action: 'billing.refund_seen',
        actorId: null,
        target: purchase.id,
        data: {
          stripeEvent: event.id,
          refundedCents,
          amountCents: purchase.amount_cents,
          currency: purchase.currency,
          whole: charge.refunded,
        },
      });
      return APPLIED;
    }
    case 'charge.dispute.created': {
      const purchase = await lockPurchase(tx, { id: purchaseHint, paymentIntentId: idOf(event.data.object.payment_intent) });
      if (!purchase) return ignored('unknown_purchase');
      if (!(await takeBackAll(tx, purchase, now))) return alreadyThere(purchase);
      await recordAudit(tx, {
        action: 'billing.dispute_seen',
        actorId: null,
        target: purchase.id,
        data: { stripeEvent: event.id, amountCents: purchase.amount_cents, currency: purchase.currency },
      });
      return APPLIED;
    }
    default:
      return ignored('unhandled_type');
  }
}

const purchaseShare = (purchase: LockedPurchase) => ({ seconds: purchase.seconds, amountCents: purchase.amount_cents });

/**
 * A refund, partial or whole, given as the charge's cumulative refunded amount. Only an increase
 * over what was already applied does anything, so repeated, reordered or overlapping refund events
 * take each second back once: the purchase gives up `secondsRefunded(total)` in all. An unused card
 * shrinks by the difference (whole: its code is revoked); an activated card's lot gives up the
 * difference, at most what is still unspent (spent time stays spent). Answers null when it took
 * something back, else why there was nothing to take.
 */
async function applyRefund(tx: TenantTransaction, purchase: LockedPurchase, amountRefunded: number, now: Date): Promise<string | null> {
  if (purchase.status === 'refunded' || purchase.status === 'disputed') return 'already_taken_back';
  const refundedCents = Math.min(amountRefunded, purchase.amount_cents);
  if (refundedCents <= purchase.refunded_cents) return 'refund_already_applied';
  const whole = refundedCents === purchase.amount_cents;
  const owed = secondsRefunded(purchaseShare(purchase), refundedCents) - secondsRefunded(purchaseShare(purchase), purchase.refunded_cents);
  await tx.$executeRaw`
    UPDATE purchases SET refunded_cents = ${refundedCents}, status = CASE WHEN ${whole} THEN 'refunded' ELSE status END, updated_at = ${now}
    WHERE id = ${purchase.id}`;
  const [card] = await tx.$queryRaw<
    { id: string; status: string }[]
  >`SELECT id, status FROM time_cards WHERE purchase_id = ${purchase.id} FOR UPDATE`;
  // No card yet: fulfilment, if it ever comes, issues it already reduced (see fulfil).
  if (!card || card.status === 'revoked') return null;
  if (card.status === 'issued') {
    if (whole) await tx.$executeRaw`UPDATE time_cards SET status = 'revoked' WHERE id = ${card.id}`;
    else
      await tx.$executeRaw`UPDATE time_cards SET seconds = ${purchase.seconds - secondsRefunded(purchaseShare(purchase), refundedCents)} WHERE id = ${card.id}`;
    return null;
  }
  const lot = await lockLotAfterCapture(tx, { timeCardId: card.id }, now);
  const take = lot ? Math.min(owed, lot.remaining_seconds) : 0;
  if (lot && take > 0) {
    // Keyed by the cumulative amount, which only grows: each step of a refund has its own key.
    await debitLots(tx, { userId: lot.user_id, kind: 'reversal', sessionId: null, keyOf: (lotId) => `refund:${lotId}:${refundedCents}` }, [
      { lotId: lot.id, seconds: take },
    ]);
  }
  if (whole) await tx.$executeRaw`UPDATE time_cards SET status = 'revoked' WHERE id = ${card.id}`;
  return null;
}

/** A dispute: the purchase is marked, an unused code is revoked, an activated card's unspent seconds are all taken back; false when it was taken back already. */
async function takeBackAll(tx: TenantTransaction, purchase: LockedPurchase, now: Date): Promise<boolean> {
  if (purchase.status === 'refunded' || purchase.status === 'disputed') return false;
  await tx.$executeRaw`UPDATE purchases SET status = 'disputed', updated_at = ${now} WHERE id = ${purchase.id}`;
  const [card] = await tx.$queryRaw<
    { id: string; status: string }[]
  >`SELECT id, status FROM time_cards WHERE purchase_id = ${purchase.id} FOR UPDATE`;
  if (!card) return true;
  if (card.status === 'active') {
    const lot = await lockLotAfterCapture(tx, { timeCardId: card.id }, now);
    if (lot && lot.remaining_seconds > 0) {
      await debitLots(tx, { userId: lot.user_id, kind: 'reversal', sessionId: null, keyOf: (lotId) => `reversal:${lotId}` }, [
        { lotId: lot.id, seconds: lot.remaining_seconds },
      ]);
    }
  }
  await tx.$executeRaw`UPDATE time_cards SET status = 'revoked' WHERE id = ${card.id}`;
  return true;
}
