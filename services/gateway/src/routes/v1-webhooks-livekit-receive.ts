import express from 'express';
import { livekitWebhookAckSchema, problemSchema, type JsonAnswer } from '@mindbot/sdk/schemas';
import { AppError } from '@mindbot/errors';
import { voiceSessionsOf } from '../deps.js';
import type { AppRoute } from '../http/route-context.js';
import { traceHeaders } from '../http/trace-headers.js';

/**
 * POST /v1/webhooks/livekit — LiveKit's signed events (raw body; the Authorization JWT carries the
 * body's sha256). `room_finished` of a voice-session room settles the session in billing; billing's
 * end is idempotent, so a repeated delivery or a user hang-up first changes nothing twice.
 */
export const v1WebhooksLivekitReceive: AppRoute = {
  spec: {
    method: 'post',
    path: '/v1/webhooks/livekit',
    operationId: 'receiveLivekitWebhook',
    summary: 'LiveKit webhook (signature checked).',
    auth: 'signature',
    responses: {
      200: { description: 'Received', schema: livekitWebhookAckSchema },
      401: { description: 'Bad signature', schema: problemSchema },
    },
  },
  mount(router, ctx) {
    router.post('/v1/webhooks/livekit', express.raw({ type: () => true, limit: '64kb' }), async (req, res) => {
      const voiceSessions = voiceSessionsOf(ctx.gateway);
      const raw = Buffer.isBuffer(req.body) ? req.body.toString('utf8') : '';
      const received = await voiceSessions.receiveRoomEvent(raw, req.headers.authorization, { headers: traceHeaders(req), log: req.log });
      if (!received.ok) throw new AppError('unauthenticated', 'The webhook signature is missing or invalid.');
      res.json({ received: true, settled: received.value.settled } satisfies JsonAnswer<typeof livekitWebhookAckSchema>);
    });
  },
};
