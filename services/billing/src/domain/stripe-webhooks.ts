import { fail, ok, type Result } from '@mindbot/errors';
import type { Stripe } from '@mindbot/stripe-connect';
import { receiveStripeEvent, type OnParked } from './parked-events.js';
import type { EventOutcome, StripeEventContext } from './stripe-events.js';

/** Stripe's default: a signature older than this is refused (replays of captured requests). */
export const WEBHOOK_TOLERANCE_SECONDS = 300;

export type WebhookRefusal = 'bad_signature' | 'malformed';

/**
 * One delivery to the Connect webhook endpoint: the `Stripe-Signature` is checked over the exact
 * raw bytes (a bad or stale one changes nothing), then the event is applied, or parked when its
 * account is not recorded here (receiveStripeEvent). A fault while applying (the database down)
 * is thrown, so the delivery fails and Stripe sends it again later.
 */
export async function receiveStripeWebhook(
  env: StripeEventContext & { webhookSecret: string; onParked: OnParked; clock: () => Date },
  delivery: { payload: Buffer; signature: string },
): Promise<Result<EventOutcome, WebhookRefusal>> {
  let event: Stripe.Event;
  try {
    event = env.stripe.webhooks.constructEvent(delivery.payload, delivery.signature, env.webhookSecret, WEBHOOK_TOLERANCE_SECONDS);
  } catch {
    env.logger.warn('stripe webhook refused: bad signature');
    return fail('bad_signature');
  }
  if (typeof event.id !== 'string' || typeof event.type !== 'string') return fail('malformed');
  const outcome = await receiveStripeEvent(env, event, env.clock(), env.onParked);
  env.logger.info({ eventId: event.id, eventType: event.type, ...outcome }, 'stripe event handled');
  return ok(outcome);
}
