import { problemSchema, voiceSessionEndedSchema, type JsonAnswer } from '@mindbot/sdk/schemas';
import { AppError } from '@mindbot/errors';
import { isId } from '@mindbot/ids';
import { voiceSessionsOf } from '../deps.js';
import { callerOf, requireUserOrKey } from '../http/authenticate.js';
import type { AppRoute } from '../http/route-context.js';
import { tenantOf } from '../http/tenant-resolution.js';
import { traceHeaders } from '../http/trace-headers.js';

/**
 * POST /v1/voice/sessions/:id/end — the user hangs up: the room is closed and billing settles to the
 * second (domain/voice-sessions.ts). A repeated end, one after the other or at the same moment,
 * answers 200 with the same final state. Another user's session answers exactly like a missing one: 404.
 */
export const v1VoiceSessionsEnd: AppRoute = {
  spec: {
    method: 'post',
    path: '/v1/voice/sessions/:id/end',
    operationId: 'endVoiceSession',
    summary: 'End a running voice session; billing settles it to the second.',
    auth: 'user-or-key',
    permission: 'voice:sessions',
    responses: {
      200: { description: 'The settled session; ending an ended session answers its final state again', schema: voiceSessionEndedSchema },
      401: { description: 'No or invalid credential', schema: problemSchema },
      404: { description: 'No such session of this user (another user’s answers the same)', schema: problemSchema },
    },
  },
  mount(router, ctx) {
    router.post('/v1/voice/sessions/:id/end', requireUserOrKey('voice:sessions'), async (req, res) => {
      const voiceSessions = voiceSessionsOf(ctx.gateway);
      const tenant = tenantOf(res);
      const caller = callerOf(res);
      const id = req.params.id;
      const missing = () => new AppError('not_found', 'No such voice session.');
      if (typeof id !== 'string' || !isId('voiceSession', id)) throw missing();
      const ender = caller?.kind === 'user' ? { kind: 'user' as const, userId: caller.principal.userId } : { kind: 'api_key' as const };
      const settled = await voiceSessions.end(tenant.slug, id, ender, { headers: traceHeaders(req), log: req.log });
      if (!settled.ok) throw missing();
      const { sessionId, status, settledSeconds, chargedSeconds } = settled.value;
      res.json({ sessionId, status, settledSeconds, chargedSeconds } satisfies JsonAnswer<typeof voiceSessionEndedSchema>);
    });
  },
};
