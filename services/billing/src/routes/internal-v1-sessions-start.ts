import { AppError, parseInput } from '@mindbot/errors';
import { sessionStartRequestSchema, startedSessionSchema } from '@mindbot/sdk/agent-job';
import { startSession } from '../domain/metering.js';
import { noCredential, problem } from '../http/problem-answers.js';
import type { AppRoute } from '../http/route-context.js';
import { tenantOf } from '../http/tenant-context.js';

/**
 * POST /internal/v1/tenants/:tenant/sessions — the gateway starts a voice session: time is
 * reserved, or 402 when the user has none, or 429 when the tenant already runs as many sessions as
 * its plan's `concurrentSessions`. `startKey` makes a retried start answer the same session. The
 * answer carries the agent's job token for this session (docs/adr/0050-agent-job-credentials.md).
 */
export const internalV1SessionsStart: AppRoute = {
  spec: {
    method: 'post',
    path: '/internal/v1/tenants/:tenant/sessions',
    operationId: 'startVoiceSession',
    summary: 'The gateway starts a voice session for a user: time is reserved and the agent gets a job token for it.',
    auth: 'service',
    body: sessionStartRequestSchema,
    responses: {
      201: { description: 'The session (or the one this startKey already started), with its job token', schema: startedSessionSchema },
      400: problem('Invalid input'),
      401: noCredential,
      402: problem('The user has no minutes left'),
      409: problem('This startKey already started a session for another user'),
      429: problem('The tenant runs as many sessions as its plan allows'),
    },
  },
  mount(router, ctx) {
    router.post('/internal/v1/tenants/:tenant/sessions', ...ctx.service, async (req, res) => {
      const input = parseInput(sessionStartRequestSchema, req.body);
      const { slug: tenant, displayName, concurrentSessions } = tenantOf(res);
      const result = await ctx.meteringGate.run(`start:${tenant}:${input.userId}`, () =>
        startSession(
          ctx.deps.tenants.forTenant(tenant),
          { ...input, persona: input.persona ?? null },
          ctx.billing.metering,
          ctx.billing.clock(),
          { tenant, concurrentSessions },
        ),
      );
      if (!result.ok) {
        if (result.failure === 'concurrent_sessions') {
          throw new AppError(
            'rate_limited',
            `${displayName} already has ${concurrentSessions} voice sessions running, the most its plan allows; try again when one ends.`,
            {
              extensions: { reason: 'concurrent_sessions', limit: 'concurrentSessions', concurrentSessions },
            },
          );
        }
        if (result.failure === 'no_minutes')
          throw new AppError('payment_required', 'The user has no minutes left: buy and activate a time card first.', {
            extensions: { reason: 'no_minutes' },
          });
        throw new AppError('conflict', 'This startKey already started a session for another user.');
      }
      res.status(201).json(result.value);
    });
  },
};
