import { fail, ok, type Result } from '@mindbot/errors';
import type { Stripe } from '@mindbot/stripe-connect';
import { receiveStripeEvent, type OnParked } from './parked-events.js';
import type { EventOutcome, StripeEventContext } from './stripe-events.js';

/** Stripe's default: a signature older than this is refused (replays of captured requests). */
export const WEBHOOK_TOLERANCE_SECONDS = 300;

export type WebhookRefusal = 'bad_signature' | 'malformed';

/**
 * How one delivery ended: the event's own outcome, `parked` while its account is not recorded here,
 * `rejected` for a bad signature or a malformed event (type `unverified`: nothing in it can be
 * trusted), `failed` when applying it threw (Stripe delivers it again later).
 */
export type DeliveryOutcome = EventOutcome['outcome'] | 'parked' | 'rejected' | 'failed';
/** Told once per delivery how it ended, e.g. to count it. */
export type OnDelivery = (delivery: { type: string; outcome: DeliveryOutcome }) => void;

/**
 * One delivery to the Connect webhook endpoint: the `Stripe-Signature` is checked over the exact
 * raw bytes (a bad or stale one changes nothing), then the event is applied, or parked when its
 * account is not recorded here (receiveStripeEvent). A fault while applying (the database down)
 * is thrown, so the delivery fails and Stripe sends it again later.
 */
export async function receiveStripeWebhook(
  env: StripeEventContext & { webhookSecret: string; onParked: OnParked; onDelivery: OnDelivery; clock: () => Date },
  delivery: { payload: Buffer; signature: string },
): Promise<Result<EventOutcome, WebhookRefusal>> {
  let event: Stripe.Event;
  try {
    event = env.stripe.webhooks.constructEvent(delivery.payload, delivery.signature, env.webhookSecret, WEBHOOK_TOLERANCE_SECONDS);
  } catch {
    env.logger.warn('stripe webhook refused: bad signature');
    env.onDelivery({ type: 'unverified', outcome: 'rejected' });
    return fail('bad_signature');
  }
  if (typeof event.id !== 'string' || typeof event.type !== 'string') {
    env.onDelivery({ type: 'unverified', outcome: 'rejected' });
    return fail('malformed');
  }
  let outcome: EventOutcome;
  try {
    outcome = await receiveStripeEvent(env, event, env.clock(), env.onParked);
  } catch (error) {
    env.onDelivery({ type: event.type, outcome: 'failed' });
    throw error;
  }
  const parked = outcome.reason === 'parked' || outcome.reason === 'already_parked';
  env.onDelivery({ type: event.type, outcome: parked ? 'parked' : outcome.outcome });
  env.logger.info({ eventId: event.id, eventType: event.type, ...outcome }, 'stripe event handled');
  return ok(outcome);
}
