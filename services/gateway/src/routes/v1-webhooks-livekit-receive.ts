import express from 'express';
import { livekitWebhookAckSchema, problemSchema, type JsonAnswer } from '@mindbot/sdk/schemas';
import { AppError } from '@mindbot/errors';
import { voiceOf } from '../deps.js';
import type { AppRoute } from '../http/route-context.js';
import { traceHeaders } from '../http/trace-headers.js';
import { roomMetadataSchema, safeJson } from '../domain/voice-rooms.js';

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
      const { voice } = voiceOf(ctx.gateway);
      const raw = Buffer.isBuffer(req.body) ? req.body.toString('utf8') : '';
      let event;
      try {
        event = await voice.receive(raw, req.headers.authorization);
      } catch (error) {
        throw new AppError('unauthenticated', 'The webhook signature is missing or invalid.', { cause: error });
      }
      let settled = false;
      if (event.event === 'room_finished' && event.room) {
        const metadata = roomMetadataSchema.safeParse(safeJson(event.room.metadata));
        if (metadata.success) {
          const tenant = await ctx.gateway.registry.bySlug(metadata.data.tenant);
          if (tenant?.home && tenant.region === ctx.gateway.region) {
            const elapsedSeconds = Math.max(0, Math.floor((Date.now() - Date.parse(metadata.data.startedAt)) / 1000));
            const result = await ctx.gateway.billing.end(
              tenant.slug,
              metadata.data.sessionId,
              { elapsedSeconds, reason: 'user_hangup' },
              traceHeaders(req),
            );
            settled = result !== undefined;
            req.log.info({ tenantId: tenant.slug, sessionId: metadata.data.sessionId, settled }, 'voice session room finished');
          }
        }
      }
      res.json({ received: true, settled } satisfies JsonAnswer<typeof livekitWebhookAckSchema>);
    });
  },
};
