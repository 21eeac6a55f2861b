import { z } from 'zod';
import { AppError, parseInput } from '@mindbot/errors';
import { heartbeatRequestSchema, jobSessionStateSchema } from '@mindbot/sdk/agent-job';
import { heartbeat } from '../domain/metering.js';
import { noCredential, problem } from '../http/problem-answers.js';
import type { AppRoute } from '../http/route-context.js';
import { sessionId } from '../http/schemas.js';
import { tenantOf } from '../http/tenant-context.js';

const params = z.object({ tenant: z.string(), id: sessionId });

/**
 * POST /internal/v1/tenants/:tenant/sessions/:id/heartbeat — settles so far; answers time left and
 * continue/warn/stop. `elapsedSeconds` is cumulative since the session started, so retries and
 * reordering are harmless.
 */
export const internalV1SessionsHeartbeat: AppRoute = {
  spec: {
    method: 'post',
    path: '/internal/v1/tenants/:tenant/sessions/:id/heartbeat',
    operationId: 'heartbeatVoiceSession',
    summary: 'The agent (or a platform service) settles the session so far; answers the time left and whether to continue, warn or stop.',
    auth: 'service',
    body: heartbeatRequestSchema,
    responses: {
      200: { description: 'The session after settling', schema: jobSessionStateSchema },
      400: problem('Invalid input'),
      401: noCredential,
      404: problem('No such voice session'),
      422: problem('elapsedSeconds is ahead of the clock'),
    },
  },
  mount(router, ctx) {
    router.post('/internal/v1/tenants/:tenant/sessions/:id/heartbeat', ...ctx.session, async (req, res) => {
      const { id } = parseInput(params, req.params, 'params');
      const { elapsedSeconds } = parseInput(heartbeatRequestSchema, req.body);
      const result = await ctx.meteringGate.run(`${tenantOf(res).slug}:${id}`, () =>
        heartbeat(
          ctx.deps.tenants.forTenant(tenantOf(res).slug),
          { sessionId: id, elapsedSeconds },
          ctx.billing.metering,
          ctx.billing.clock(),
        ),
      );
      if (!result.ok) {
        if (result.failure === 'not_found') throw new AppError('not_found', 'No such voice session.');
        throw new AppError('unprocessable', result.detail ?? 'elapsedSeconds is ahead of the clock.');
      }
      res.json(result.value);
    });
  },
};
