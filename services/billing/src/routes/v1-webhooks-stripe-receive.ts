import express from 'express';
import { AppError } from '@mindbot/errors';
import { stripeWebhookAckSchema, type JsonAnswer } from '@mindbot/sdk/schemas';
import { receiveStripeWebhook } from '../domain/stripe-webhooks.js';
import { problem } from '../http/problem-answers.js';
import type { AppRoute } from '../http/route-context.js';

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
export const v1WebhooksStripeReceive: AppRoute = {
  spec: {
    method: 'post',
    path: '/v1/webhooks/stripe',
    operationId: 'receiveStripeEvent',
    summary: "Stripe's Connect webhook, at the platform host; the `Stripe-Signature` header is checked over the raw body.",
    auth: 'signature',
    upstream: 'billing',
    responses: {
      200: { description: 'Handled (or already handled)', schema: stripeWebhookAckSchema },
      400: problem('Missing, invalid or stale signature'),
    },
  },
  mount(router, ctx) {
    router.post('/v1/webhooks/stripe', express.raw({ type: () => true, limit: '512kb' }), async (req, res) => {
      const signature = req.header('stripe-signature');
      const payload: unknown = req.body;
      if (!signature || !Buffer.isBuffer(payload) || payload.length === 0)
        throw new AppError('bad_request', 'A signed Stripe event is required.');
      const result = await receiveStripeWebhook(
        {
          platform: ctx.deps.platform,
          tenants: ctx.deps.tenants,
          stripe: ctx.billing.stripe,
          logger: req.log,
          livemode: ctx.billing.livemode,
          webhookSecret: ctx.billing.webhookSecret,
          onParked: ctx.onParked,
          onDelivery: ctx.metrics.onDelivery,
          clock: ctx.billing.clock,
        },
        { payload, signature },
      );
      if (!result.ok) {
        if (result.failure === 'bad_signature') throw new AppError('bad_request', 'The Stripe signature is missing, invalid or too old.');
        throw new AppError('bad_request', 'The event is malformed.');
      }
      res.json({ received: true, ...result.value } satisfies JsonAnswer<typeof stripeWebhookAckSchema>);
    });
  },
};
