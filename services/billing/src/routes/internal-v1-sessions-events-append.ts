import type { Express } from 'express';
import { parseInput } from '@mindbot/errors';
import { sessionEventsAppendRequestSchema, type sessionEventsAppendedSchema } from '@mindbot/sdk/agent-job';
import type { JsonAnswer } from '@mindbot/sdk/schemas';
import { appendSessionEvents } from '../domain/session-events.js';
import { sessionCallerOf } from '../http/job-auth.js';
import type { RouteContext } from '../http/route-context.js';
import { tenantOf } from '../http/tenant-context.js';

/**
 * POST /internal/v1/tenants/:tenant/sessions/:id/events — the agent appends the call's turns and
 * tool calls. A tenant that keeps no transcripts (`agent.transcripts: false`) stores nothing and
 * says so (`kept: false`), so the agent can stop sending.
 */
export function internalV1SessionsEventsAppend(app: Express, ctx: RouteContext): void {
  app.post('/internal/v1/tenants/:tenant/sessions/:id/events', ...ctx.job, async (req, res) => {
    const { events } = parseInput(sessionEventsAppendRequestSchema, req.body);
    const tenant = tenantOf(res);
    if (!tenant.keepTranscripts) {
      res.json({ stored: 0, kept: false } satisfies JsonAnswer<typeof sessionEventsAppendedSchema>);
      return;
    }
    const caller = sessionCallerOf(res);
    const stored = await appendSessionEvents(
      ctx.deps.tenants.forTenant(tenant.slug),
      caller,
      events.map((e) => ({ ...e, at: new Date(e.at) })),
    );
    res.json({ stored, kept: true } satisfies JsonAnswer<typeof sessionEventsAppendedSchema>);
  });
}
