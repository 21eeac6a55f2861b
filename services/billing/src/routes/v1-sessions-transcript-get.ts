import type { Express } from 'express';
import { principalOf } from '@mindbot/auth';
import { AppError, parseInput } from '@mindbot/errors';
import { voiceSessionTranscriptSchema, type JsonAnswer } from '@mindbot/sdk/schemas';
import { sessionEventsOf } from '../domain/session-events.js';
import type { RouteContext } from '../http/route-context.js';
import { sessionIdParams } from '../http/schemas.js';
import { tenantOf } from '../http/tenant-context.js';

/** GET /v1/sessions/:id/transcript — what was said and done in one of the user's own calls. */
export function v1SessionsTranscriptGet(app: Express, ctx: RouteContext): void {
  app.get('/v1/sessions/:id/transcript', ...ctx.user, async (req, res) => {
    const { id } = parseInput(sessionIdParams, req.params, 'params');
    const transcript = await sessionEventsOf(ctx.deps.tenants.forTenant(tenantOf(res).slug), id, principalOf(res).userId);
    if (!transcript) throw new AppError('not_found', 'No such voice session.');
    res.json(transcript satisfies JsonAnswer<typeof voiceSessionTranscriptSchema>);
  });
}
