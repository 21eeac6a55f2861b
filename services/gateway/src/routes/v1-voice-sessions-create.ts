import { problemSchema, voiceSessionCreateRequestSchema, voiceSessionSchema, type VoiceSession } from '@mindbot/sdk/schemas';
import { AppError, parseInput } from '@mindbot/errors';
import { voiceSessionsOf } from '../deps.js';
import type { StartVoiceSessionRefusal } from '../domain/voice-sessions.js';
import type { TenantRecord } from '@mindbot/tenant-registry';
import { callerOf, requireUserOrKey } from '../http/authenticate.js';
import type { AppRoute } from '../http/route-context.js';
import { tenantOf } from '../http/tenant-resolution.js';
import { traceHeaders } from '../http/trace-headers.js';

/**
 * POST /v1/voice/sessions — starts a voice session (domain/voice-sessions.ts): the room to join and
 * a short-lived token for it; 402 pointing to the packages when the user has no minutes, 429 naming
 * the limit when the tenant already runs as many sessions as its plan's `concurrentSessions`, 422
 * listing the tenant's personas for an unknown `persona`. A signed-in user starts sessions for
 * themselves; an API key names the user.
 */
export const v1VoiceSessionsCreate: AppRoute = {
  spec: {
    method: 'post',
    path: '/v1/voice/sessions',
    operationId: 'createVoiceSession',
    summary: 'Start a voice session with the tenant’s agent.',
    auth: 'user-or-key',
    permission: 'voice:sessions',
    body: voiceSessionCreateRequestSchema,
    responses: {
      201: { description: 'The room to join and a token for it', schema: voiceSessionSchema },
      400: { description: 'Invalid input', schema: problemSchema },
      401: { description: 'No or invalid credential', schema: problemSchema },
      402: { description: 'No minutes left: buy a package (see packagesUrl)', schema: problemSchema },
      422: {
        description: 'The tenant offers no such persona (reason: unknown_persona, with the personas it offers)',
        schema: problemSchema,
      },
      403: {
        description: 'The API key lacks voice:sessions, or is a test key (reason: test_key; test keys cannot spend minutes)',
        schema: problemSchema,
      },
      404: {
        description: 'An API key named a userId the tenant does not have (reason: unknown_user, with the userId)',
        schema: problemSchema,
      },
      429: {
        description: "Rate limited, or the tenant's plan already runs `concurrentSessions` sessions (reason: concurrent_sessions)",
        schema: problemSchema,
      },
      503: {
        description:
          'Billing or LiveKit unreachable, or no agent worker ready for the tenant (reason: agent_unavailable, with what it lacks); nothing was charged',
        schema: problemSchema,
      },
    },
  },
  mount(router, ctx) {
    router.post('/v1/voice/sessions', requireUserOrKey('voice:sessions'), async (req, res) => {
      const voiceSessions = voiceSessionsOf(ctx.gateway);
      const input = parseInput(voiceSessionCreateRequestSchema, req.body ?? {});
      const tenant = tenantOf(res);
      const caller = callerOf(res);
      let userId: string;
      if (caller?.kind === 'user') {
        if (input.userId !== undefined && input.userId !== caller.principal.userId)
          throw new AppError('forbidden', 'A signed-in user can start sessions only for themselves.');
        userId = caller.principal.userId;
      } else {
        if (input.userId === undefined) {
          throw new AppError('validation_failed', 'The request body is invalid.', {
            errors: [{ path: 'body.userId', message: 'is required when an API key starts a session' }],
          });
        }
        userId = input.userId;
      }
      const started = await voiceSessions.start(
        {
          tenant,
          userId,
          apiKey: caller?.kind === 'api_key' ? { environment: caller.apiKey.environment } : undefined,
          persona: input.persona,
          startKey: input.startKey,
        },
        { headers: traceHeaders(req), log: req.log },
      );
      if (!started.ok) throw refusalProblem(started, tenant, userId, input.persona);
      const session = started.value;
      const body: VoiceSession = { ...session, tokenExpiresAt: session.tokenExpiresAt.toISOString() };
      res.status(201).set('Cache-Control', 'no-store').json(body);
    });
  },
};

function refusalProblem(refusal: StartVoiceSessionRefusal, tenant: TenantRecord, userId: string, persona: string | undefined): AppError {
  switch (refusal.failure) {
    case 'unknown_user':
      return new AppError('not_found', `${tenant.displayName} has no user "${userId}".`, {
        extensions: { reason: 'unknown_user', userId },
      });
    case 'test_key':
      // There are no test balances to spend instead. docs/adr/0031-api-keys.md.
      return new AppError('forbidden', 'A test API key cannot spend minutes: start voice sessions with a live key (mb_live_…).', {
        extensions: { reason: 'test_key' },
      });
    case 'unknown_persona':
      return new AppError(
        'unprocessable',
        `${tenant.displayName} has no persona "${persona ?? ''}"; choose one of: ${refusal.personas.join(', ')}.`,
        { extensions: { reason: 'unknown_persona', personas: refusal.personas } },
      );
    case 'agent_unavailable':
      return new AppError(
        'unavailable',
        refusal.reason === 'no_worker'
          ? `No voice agent is running for ${tenant.displayName} right now; nothing was charged. Try again in a minute.`
          : `The voice agent of ${tenant.displayName} is not fully configured (missing: ${refusal.missing.join(', ')}); nothing was charged.`,
        { headers: { 'Retry-After': '30' }, extensions: { reason: 'agent_unavailable', missing: refusal.missing } },
      );
    case 'concurrent_sessions':
      return new AppError(
        'rate_limited',
        `${tenant.displayName} already has ${refusal.concurrentSessions} voice sessions running, the most its plan allows; try again when one ends.`,
        { extensions: { reason: 'concurrent_sessions', limit: 'concurrentSessions', concurrentSessions: refusal.concurrentSessions } },
      );
    case 'no_minutes':
      return new AppError('payment_required', 'No minutes left: buy and activate a time card to start a voice session.', {
        extensions: { reason: 'no_minutes', packagesUrl: '/v1/packages' },
      });
    case 'start_key_conflict':
      return new AppError('conflict', 'This startKey already started a session for another user.');
  }
}
