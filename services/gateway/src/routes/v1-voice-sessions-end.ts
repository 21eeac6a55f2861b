import { problemSchema, voiceSessionEndedSchema, type JsonAnswer } from '@mindbot/sdk/schemas';
import { AppError } from '@mindbot/errors';
import { isId } from '@mindbot/ids';
import { callerOf, requireUserOrKey } from '../http/authenticate.js';
import { voiceOf } from '../gateway-deps.js';
import type { GatewayRoute } from '../http/route-spec.js';
import { tenantOf } from '../http/tenant-resolution.js';
import { traceHeaders } from '../http/trace-headers.js';
import { roomNameOf } from '@mindbot/tenancy';

/** POST /v1/voice/sessions/:id/end — the user hangs up: the room is closed and billing settles to the second. */
export const v1VoiceSessionsEnd: GatewayRoute = {
  spec: {
    method: 'post',
    path: '/v1/voice/sessions/:id/end',
    operationId: 'endVoiceSession',
    summary: 'End a running voice session; billing settles it to the second.',
    auth: 'user-or-key',
    permission: 'voice:sessions',
    responses: {
      200: { description: 'The settled session', schema: voiceSessionEndedSchema },
      401: { description: 'No or invalid credential', schema: problemSchema },
      404: { description: 'No such running session of this user', schema: problemSchema },
    },
  },
  mount(router, ctx) {
    router.post('/v1/voice/sessions/:id/end', requireUserOrKey('voice:sessions'), async (req, res) => {
      const { voice } = voiceOf(ctx.gateway);
      const tenant = tenantOf(res);
      const caller = callerOf(res);
      const id = req.params.id;
      if (typeof id !== 'string' || !isId('voiceSession', id)) throw new AppError('not_found', 'No such running voice session.');
      const room = roomNameOf(tenant.slug, id);
      const metadata = await voice.metadataOf(room).catch((error: unknown) => {
        throw new AppError('unavailable', 'The voice service cannot be reached right now.', { headers: { 'Retry-After': '5' }, cause: error });
      });
      // Another user's session answers exactly like a missing one.
      if (!metadata || metadata.tenant !== tenant.slug || (caller?.kind === 'user' && metadata.userId !== caller.principal.userId)) {
        throw new AppError('not_found', 'No such running voice session.');
      }
      const elapsedSeconds = Math.max(0, Math.floor((Date.now() - Date.parse(metadata.startedAt)) / 1000));
      const settled = await ctx.gateway.billing.end(tenant.slug, id, { elapsedSeconds, reason: 'user_hangup' }, traceHeaders(req));
      await voice.close(room).catch((error: unknown) => req.log.warn({ err: error, room }, 'could not close the room; it closes when empty'));
      if (!settled) throw new AppError('not_found', 'No such running voice session.');
      res.json({ sessionId: settled.sessionId, status: settled.status, settledSeconds: settled.settledSeconds, chargedSeconds: settled.chargedSeconds } satisfies JsonAnswer<typeof voiceSessionEndedSchema>);
    });
  },
};
