import { problemSchema, voiceSessionEndedSchema, type JsonAnswer } from '@mindbot/sdk/schemas';
import { AppError } from '@mindbot/errors';
import { isId } from '@mindbot/ids';
import { callerOf, requireUserOrKey } from '../http/authenticate.js';
import { voiceSessionOf } from '../data/tenant-lookups.js';
import { voiceOf } from '../deps.js';
import type { RouteContext } from '../http/route-context.js';
import type { AppRoute } from '../http/route-context.js';
import { tenantOf } from '../http/tenant-resolution.js';
import { traceHeaders } from '../http/trace-headers.js';
import { roomNameOf } from '@mindbot/tenancy';

/**
 * POST /v1/voice/sessions/:id/end — the user hangs up: the room is closed and billing settles to the
 * second. Idempotent whatever the timing: an end that finds the room gone (an earlier end closed it,
 * or LiveKit did) reads whose the session is from the tenant's voice sessions and still asks billing
 * to end it, which answers an ended session's final state unchanged; so a repeated end, one after
 * the other or at the same moment, answers 200 with the same final state. Another user's session
 * answers exactly like a missing one: 404.
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
      const { voice } = voiceOf(ctx.gateway);
      const tenant = tenantOf(res);
      const caller = callerOf(res);
      const id = req.params.id;
      const missing = () => new AppError('not_found', 'No such voice session.');
      if (typeof id !== 'string' || !isId('voiceSession', id)) throw missing();
      const room = roomNameOf(tenant.slug, id);
      const metadata = await voice.metadataOf(room).catch((error: unknown) => {
        throw new AppError('unavailable', 'The voice service cannot be reached right now.', {
          headers: { 'Retry-After': '5' },
          cause: error,
        });
      });
      const live = metadata?.tenant === tenant.slug ? metadata : undefined;
      // No room: ended already (or closed by LiveKit); the session row says whose it is.
      const session = live ? { userId: live.userId, startedAt: Date.parse(live.startedAt) } : await sessionOwner(ctx, tenant.slug, id);
      // Another user's session answers exactly like a missing one.
      if (!session || (caller?.kind === 'user' && session.userId !== caller.principal.userId)) throw missing();
      // Billing ignores the elapsed time of an ended session and answers its final state.
      const elapsedSeconds = Math.max(0, Math.floor((Date.now() - session.startedAt) / 1000));
      const settled = await ctx.gateway.billing.end(tenant.slug, id, { elapsedSeconds, reason: 'user_hangup' }, traceHeaders(req));
      if (live)
        await voice
          .close(room)
          .catch((error: unknown) => req.log.warn({ err: error, room }, 'could not close the room; it closes when empty'));
      if (!settled) throw missing();
      res.json({
        sessionId: settled.sessionId,
        status: settled.status,
        settledSeconds: settled.settledSeconds,
        chargedSeconds: settled.chargedSeconds,
      } satisfies JsonAnswer<typeof voiceSessionEndedSchema>);
    });
  },
};

async function sessionOwner(ctx: RouteContext, tenant: string, id: string): Promise<{ userId: string; startedAt: number } | undefined> {
  const session = await voiceSessionOf(ctx.deps.tenants, tenant, id);
  return session && { userId: session.userId, startedAt: session.startedAt.getTime() };
}
