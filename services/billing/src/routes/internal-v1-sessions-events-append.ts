import { parseInput } from '@mindbot/errors';
import { sessionEventsAppendRequestSchema, sessionEventsAppendedSchema } from '@mindbot/sdk/agent-job';
import type { JsonAnswer } from '@mindbot/sdk/schemas';
import { appendSessionEvents } from '../domain/session-events.js';
import { sessionCallerOf } from '../http/job-auth.js';
import { noCredential, problem } from '../http/problem-answers.js';
import type { AppRoute } from '../http/route-context.js';
import { tenantOf } from '../http/tenant-context.js';

/**
 * POST /internal/v1/tenants/:tenant/sessions/:id/events — the agent appends the call's turns and
 * tool calls. A tenant that keeps no transcripts (`agent.transcripts: false`) stores nothing and
 * says so (`kept: false`), so the agent can stop sending.
 */
export const internalV1SessionsEventsAppend: AppRoute = {
  spec: {
    method: 'post',
    path: '/internal/v1/tenants/:tenant/sessions/:id/events',
    operationId: 'appendVoiceSessionEvents',
    summary: "The agent of the session appends the call's turns and tool calls; `kept: false` when the tenant keeps no transcripts.",
    auth: 'service',
    body: sessionEventsAppendRequestSchema,
    responses: {
      200: { description: 'How many events were new, and whether they are kept', schema: sessionEventsAppendedSchema },
      400: problem('Invalid input'),
      401: noCredential,
    },
  },
  mount(router, ctx) {
    router.post('/internal/v1/tenants/:tenant/sessions/:id/events', ...ctx.job, async (req, res) => {
      const { events } = parseInput(sessionEventsAppendRequestSchema, req.body);
      const tenant = tenantOf(res);
      const appended = await appendSessionEvents(
        ctx.deps.tenants.forTenant(tenant.slug),
        sessionCallerOf(res),
        events.map((e) => ({ ...e, at: new Date(e.at) })),
        { keepTranscripts: tenant.keepTranscripts },
      );
      res.json(appended satisfies JsonAnswer<typeof sessionEventsAppendedSchema>);
    });
  },
};
