import express, { type Express } from 'express';
import { AppError } from '@mindbot/errors';
import { stripeWebhookAckSchema, type JsonAnswer } from '@mindbot/sdk/schemas';
import { receiveStripeEvent } from '../domain/parked-events.js';
import type { Stripe } from '@mindbot/stripe-connect';
import type { RouteContext } from '../http/route-context.js';

/** Stripe's default: a signature older than this is refused (replays of captured requests). */
export const WEBHOOK_TOLERANCE_SECONDS = 300;

/**
 * POST /v1/webhooks/stripe — the one Connect webhook endpoint. Mounted before JSON parsing: the
 * signature covers the exact raw bytes. A bad or stale signature is a 400 and changes nothing; a
 * repeated event is a 200 no-op (`duplicate`), and so is an event the state already reflects
 * (`unchanged`: `applied` is said only when something changed); an event that cannot be applied
 * yet (e.g. the database is down) is a 5xx, so Stripe delivers it again later. An event of an
 * account not recorded here is parked and answered 200 (Stripe would otherwise retry it for days
 * and then disable the endpoint): it is applied once the account is recorded, or purged after the
 * retention.
 */
export function v1WebhooksStripeReceive(app: Express, ctx: RouteContext): void {
  app.post('/v1/webhooks/stripe', express.raw({ type: () => true, limit: '512kb' }), async (req, res) => {
    const signature = req.header('stripe-signature');
    const raw: unknown = req.body;
    if (!signature || !Buffer.isBuffer(raw) || raw.length === 0) throw new AppError('bad_request', 'A signed Stripe event is required.');
    let event: Stripe.Event;
    try {
      event = ctx.billing.stripe.webhooks.constructEvent(raw, signature, ctx.billing.webhookSecret, WEBHOOK_TOLERANCE_SECONDS);
    } catch {
      req.log.warn('stripe webhook refused: bad signature');
      throw new AppError('bad_request', 'The Stripe signature is missing, invalid or too old.');
    }
    if (typeof event.id !== 'string' || typeof event.type !== 'string') throw new AppError('bad_request', 'The event is malformed.');
    const outcome = await receiveStripeEvent(
      {
        platform: ctx.deps.platform,
        tenants: ctx.deps.tenants,
        stripe: ctx.billing.stripe,
        logger: req.log,
        livemode: ctx.billing.livemode,
      },
      event,
      ctx.billing.clock(),
      ctx.onParked,
    );
    req.log.info({ eventId: event.id, eventType: event.type, ...outcome }, 'stripe event handled');
    res.json({ received: true, ...outcome } satisfies JsonAnswer<typeof stripeWebhookAckSchema>);
  });
}
