import {
  findBillingAccountByStripeId,
  markApplied,
  parkEvent,
  purgeParkedBefore,
  recordedAccountsWithParkedEvents,
  unappliedEventsOf,
  type Stripe,
} from '@mindbot/stripe-connect';
import { handleStripeEvent, type EventOutcome, type StripeEventContext } from './stripe-events.js';

// Connect events of an account this region has not recorded are parked rather than dropped: the
// account may be one whose id the provisioner has not written yet (Stripe fires account.updated
// right after creating it), or one of another region's tenants (Stripe sends every Connect event
// to every endpoint). The first kind is applied once the account is recorded; the second stays
// parked until the retention purge. docs/adr/0024-parked-webhook-events.md.

/** Called once per newly parked event (not for a repeated delivery), e.g. to count it. */
export type OnParked = (event: { eventId: string; stripeAccountId: string; type: string }) => void;

/**
 * The webhook endpoint's entry point: applies the event, or parks it when its account is not
 * recorded here. Parking is idempotent by event id (a repeated delivery answers `already_parked`).
 */
export async function receiveStripeEvent(
  ctx: StripeEventContext,
  event: Stripe.Event,
  now: Date,
  onParked?: OnParked,
): Promise<EventOutcome> {
  const outcome = await handleStripeEvent(ctx, event, now);
  const accountId = event.account;
  if (outcome.reason !== 'unknown_account' || !accountId) return outcome;
  const fresh = await parkEvent(ctx.platform, { ...event, account: accountId }, now);
  if (fresh) {
    ctx.logger.info(
      { stripeAccountId: accountId, eventId: event.id, eventType: event.type },
      'stripe event parked: its account is not recorded here',
    );
    onParked?.({ eventId: event.id, stripeAccountId: accountId, type: event.type });
  }
  // The account may have been recorded between the lookup and the park, by a recorder whose drain
  // looked before this row existed: apply now, or the event would wait for the sweeper.
  if (await findBillingAccountByStripeId(ctx.platform, accountId)) {
    const applied = await applyParkedEvents(ctx, accountId, now);
    const own = applied.get(event.id);
    if (own) return own;
  }
  return { outcome: 'ignored', reason: fresh ? 'parked' : 'already_parked' };
}

/**
 * Applies the account's parked events oldest first, through the same code as live deliveries (so
 * tenant events stay idempotent by event id and an older account.updated never replaces a newer
 * state), and marks each applied. An event that fails (database or Stripe unreachable) stays
 * parked for the next drain; the ones after it are still applied, as the live path would for
 * deliveries that arrive in any order. Safe to run concurrently: each effect is idempotent.
 */
export async function applyParkedEvents(ctx: StripeEventContext, stripeAccountId: string, now: Date): Promise<Map<string, EventOutcome>> {
  const outcomes = new Map<string, EventOutcome>();
  for (const event of await unappliedEventsOf(ctx.platform, stripeAccountId)) {
    try {
      const outcome = await handleStripeEvent(ctx, event, now);
      await markApplied(ctx.platform, event.id, now);
      outcomes.set(event.id, outcome);
      ctx.logger.info({ stripeAccountId, eventId: event.id, eventType: event.type, ...outcome }, 'parked stripe event applied');
    } catch (error) {
      ctx.logger.error({ err: error, stripeAccountId, eventId: event.id }, 'parked stripe event could not be applied; it stays parked');
    }
  }
  return outcomes;
}

/**
 * The periodic part: applies what a missed drain left (a crash after recording an account, an id
 * written by other means), then deletes events received more than `retentionMs` ago, applied or
 * not. Answers how many were purged.
 */
export async function sweepParkedEvents(
  ctx: StripeEventContext,
  now: Date,
  retentionMs: number,
): Promise<{ drainedAccounts: number; purged: number }> {
  const accounts = await recordedAccountsWithParkedEvents(ctx.platform);
  for (const accountId of accounts) await applyParkedEvents(ctx, accountId, now);
  const purged = await purgeParkedBefore(ctx.platform, new Date(now.getTime() - retentionMs));
  return { drainedAccounts: accounts.length, purged };
}
