import { z } from 'zod';
import { AppError, parseInput } from '@mindbot/errors';
import { jobSessionStateSchema, sessionEndRequestSchema } from '@mindbot/sdk/agent-job';
import { endSession } from '../domain/metering.js';
import { noCredential, problem } from '../http/problem-answers.js';
import type { AppRoute } from '../http/route-context.js';
import { sessionId } from '../http/schemas.js';
import { tenantOf } from '../http/tenant-context.js';

const params = z.object({ tenant: z.string(), id: sessionId });

/** POST /internal/v1/tenants/:tenant/sessions/:id/end — settles to the second and releases the reservation; idempotent. */
export const internalV1SessionsEnd: AppRoute = {
  spec: {
    method: 'post',
    path: '/internal/v1/tenants/:tenant/sessions/:id/end',
    operationId: 'endVoiceSession',
    summary: 'The agent or the gateway ends the session: settled to the second, the reservation released; ending twice is harmless.',
    auth: 'service',
    body: sessionEndRequestSchema,
    responses: {
      200: { description: 'The ended session', schema: jobSessionStateSchema },
      400: problem('Invalid input'),
      401: noCredential,
      404: problem('No such voice session'),
      422: problem('elapsedSeconds is ahead of the clock'),
    },
  },
  mount(router, ctx) {
    router.post('/internal/v1/tenants/:tenant/sessions/:id/end', ...ctx.session, async (req, res) => {
      const { id } = parseInput(params, req.params, 'params');
      const input = parseInput(sessionEndRequestSchema, req.body);
      const result = await ctx.meteringGate.run(`${tenantOf(res).slug}:${id}`, () =>
        endSession(ctx.deps.tenants.forTenant(tenantOf(res).slug), { sessionId: id, ...input }, ctx.billing.metering, ctx.billing.clock()),
      );
      if (!result.ok) {
        if (result.failure === 'not_found') throw new AppError('not_found', 'No such voice session.');
        throw new AppError('unprocessable', result.detail ?? 'elapsedSeconds is ahead of the clock.');
      }
      res.json(result.value);
    });
  },
};
