import { randomUUID } from 'node:crypto';
import { problemSchema, voiceSessionCreateRequestSchema, voiceSessionSchema, type VoiceSession } from '@mindbot/sdk/schemas';
import { AppError, parseInput } from '@mindbot/errors';
import { choosePersona, personasOf } from '@mindbot/tenancy';
import { callerOf, requireUserOrKey } from '../http/authenticate.js';
import { checkApiKeySessionUser } from '../http/api-key-session-user.js';
import { voiceOf } from '../deps.js';
import type { AppRoute } from '../http/route-context.js';
import { tenantOf } from '../http/tenant-resolution.js';
import { traceHeaders } from '../http/trace-headers.js';

/**
 * POST /v1/voice/sessions — reserves time in billing (402 pointing to the packages when there is
 * none; 429 naming the limit when the tenant already runs as many sessions as its plan's
 * `concurrentSessions` — billing counts and admits atomically, so the gateway never races), creates the tenant's LiveKit room, dispatches the agent that serves
 * the tenant (its dedicated workers or the region's shared pool, as its plan says) with tenant,
 * user, session, the chosen persona and the job's own billing credential, and answers a short-lived
 * token that can join only that room. When LiveKit fails after billing reserved time, the session is
 * ended at zero seconds at once. An unknown `persona` is a 422 listing the tenant's personas.
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
      const { voice, livekit } = voiceOf(ctx.gateway);
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
        await checkApiKeySessionUser(ctx, tenant, caller, userId);
      }
      const persona = choosePersona(tenant, input.persona);
      if (!persona) {
        const offered = personasOf(tenant).map((p) => p.id);
        throw new AppError(
          'unprocessable',
          `${tenant.displayName} has no persona "${input.persona ?? ''}"; choose one of: ${offered.join(', ')}.`,
          {
            extensions: { reason: 'unknown_persona', personas: offered },
          },
        );
      }
      const agentName = voice.agentNameFor(tenant.slug, tenant.limits.agentPool);
      const availability = ctx.gateway.agents ? await ctx.gateway.agents.check(agentName) : { ok: true as const };
      if (!availability.ok) {
        const detail =
          availability.reason === 'no_worker'
            ? `No voice agent is running for ${tenant.displayName} right now; nothing was charged. Try again in a minute.`
            : `The voice agent of ${tenant.displayName} is not fully configured (missing: ${availability.missing.join(', ')}); nothing was charged.`;
        throw new AppError('unavailable', detail, {
          headers: { 'Retry-After': '30' },
          extensions: { reason: 'agent_unavailable', missing: availability.missing },
        });
      }
      const headers = traceHeaders(req);
      const started = await ctx.gateway.billing.start(
        tenant.slug,
        { userId, startKey: input.startKey ?? `gw:${randomUUID()}`, persona: persona.id },
        headers,
      );
      if (!started.ok && started.reason === 'concurrent_sessions') {
        throw new AppError(
          'rate_limited',
          `${tenant.displayName} already has ${started.concurrentSessions} voice sessions running, the most its plan allows; try again when one ends.`,
          {
            extensions: { reason: 'concurrent_sessions', limit: 'concurrentSessions', concurrentSessions: started.concurrentSessions },
          },
        );
      }
      if (!started.ok) {
        throw new AppError('payment_required', 'No minutes left: buy and activate a time card to start a voice session.', {
          extensions: { reason: 'no_minutes', packagesUrl: '/v1/packages' },
        });
      }
      const session = started.session;
      let opened: { room: string; token: string; tokenExpiresAt: Date };
      try {
        opened = await voice.open({
          metadata: { tenant: tenant.slug, userId, sessionId: session.sessionId, startedAt: session.startedAt },
          agentName,
          dispatch: {
            tenant: tenant.slug,
            tenantName: tenant.displayName,
            userId,
            sessionId: session.sessionId,
            startedAt: session.startedAt,
            jobToken: session.jobToken,
            persona,
            ...(session.firstSession && tenant.agent.onboardingGreeting !== undefined
              ? { onboardingGreeting: tenant.agent.onboardingGreeting }
              : {}),
          },
        });
      } catch (error) {
        req.log.error({ err: error, sessionId: session.sessionId }, 'livekit refused the session; releasing the reservation');
        await ctx.gateway.billing
          .end(tenant.slug, session.sessionId, { elapsedSeconds: 0, reason: 'error' }, headers)
          .catch((cause: unknown) => {
            req.log.error({ err: cause, sessionId: session.sessionId }, 'could not release the reservation; the sweeper will');
          });
        throw new AppError('unavailable', 'The voice service cannot be reached right now; nothing was charged. Try again.', {
          headers: { 'Retry-After': '5' },
          cause: error,
        });
      }
      const body: VoiceSession = {
        sessionId: session.sessionId,
        room: opened.room,
        livekitUrl: livekit.url,
        token: opened.token,
        tokenExpiresAt: opened.tokenExpiresAt.toISOString(),
        remainingSeconds: session.remainingSeconds,
      };
      res.status(201).set('Cache-Control', 'no-store').json(body);
    });
  },
};
