import type { Express } from 'express';
import { AppError, parseInput } from '@mindbot/errors';
import { voiceSessionTranscriptSchema, type JsonAnswer } from '@mindbot/sdk/schemas';
import { sessionEventsOf } from '../domain/session-events.js';
import type { RouteContext } from '../http/route-context.js';
import { sessionIdParams } from '../http/schemas.js';
import { tenantOf } from '../http/tenant-context.js';

/** GET /v1/admin/sessions/:id/transcript — a tenant admin reads any call of the tenant's users. */
export function v1AdminSessionsTranscriptGet(app: Express, ctx: RouteContext): void {
  app.get('/v1/admin/sessions/:id/transcript', ...ctx.admin, async (req, res) => {
    const { id } = parseInput(sessionIdParams, req.params, 'params');
    const transcript = await sessionEventsOf(ctx.deps.tenants.forTenant(tenantOf(res).slug), id, null);
    if (!transcript) throw new AppError('not_found', 'No such voice session.');
    res.json(transcript satisfies JsonAnswer<typeof voiceSessionTranscriptSchema>);
  });
}
