import type { PlatformClient } from '@mindbot/db';
import type Stripe from 'stripe';

// Verified Connect events of Stripe accounts not recorded in billing_accounts (yet), in the
// platform schema: see docs/adr/0024-parked-webhook-events.md.

/** Parks a verified event; answers false when the same event id was parked already (a repeated delivery). */
export async function parkEvent(platform: PlatformClient, event: Stripe.Event & { account: string }, receivedAt: Date): Promise<boolean> {
  const parked = await platform.$queryRaw<{ event_id: string }[]>`
    INSERT INTO platform.parked_webhook_events (event_id, stripe_account_id, type, event_created, payload, received_at)
    VALUES (${event.id}, ${event.account}, ${event.type}, ${new Date(event.created * 1000)}, ${JSON.stringify(event)}::jsonb, ${receivedAt})
    ON CONFLICT (event_id) DO NOTHING RETURNING event_id`;
  return parked.length > 0;
}

/** The account's events not applied yet, oldest first (ties by event id, so every replica takes the same order). */
export async function unappliedEventsOf(platform: PlatformClient, stripeAccountId: string): Promise<Stripe.Event[]> {
  const rows = await platform.$queryRaw<{ payload: Stripe.Event }[]>`
    SELECT payload FROM platform.parked_webhook_events
    WHERE stripe_account_id = ${stripeAccountId} AND applied_at IS NULL
    ORDER BY event_created, event_id`;
  return rows.map((r) => r.payload);
}

/** Recorded accounts that still have unapplied events: what a missed drain (a crash, an id written by hand) left behind. */
export async function recordedAccountsWithParkedEvents(platform: PlatformClient): Promise<string[]> {
  const rows = await platform.$queryRaw<{ stripe_account_id: string }[]>`
    SELECT DISTINCT p.stripe_account_id FROM platform.parked_webhook_events p
    JOIN platform.billing_accounts a ON a.stripe_account_id = p.stripe_account_id
    WHERE p.applied_at IS NULL`;
  return rows.map((r) => r.stripe_account_id);
}

export async function markApplied(platform: PlatformClient, eventId: string, appliedAt: Date): Promise<void> {
  await platform.$executeRaw`UPDATE platform.parked_webhook_events SET applied_at = ${appliedAt} WHERE event_id = ${eventId} AND applied_at IS NULL`;
}

/** Deletes events (applied or not) received before `cutoff`; answers how many went. */
export function purgeParkedBefore(platform: PlatformClient, cutoff: Date): Promise<number> {
  return platform.$executeRaw`DELETE FROM platform.parked_webhook_events WHERE received_at < ${cutoff}`;
}

export async function countUnapplied(platform: PlatformClient): Promise<number> {
  const [row] = await platform.$queryRaw<
    { n: number }[]
  >`SELECT count(*)::int AS n FROM platform.parked_webhook_events WHERE applied_at IS NULL`;
  return row?.n ?? 0;
}
