import type { Express } from 'express';
import { principalOf } from '@mindbot/auth';
import { voiceSessionRecordListSchema, type JsonAnswer } from '@mindbot/sdk/schemas';
import { sessionsOf } from '../domain/balance.js';
import type { RouteContext } from '../http/route-context.js';
import { tenantOf } from '../http/tenant-context.js';

/** GET /v1/sessions — the user's voice sessions with the seconds each one used. */
export function v1SessionsList(app: Express, ctx: RouteContext): void {
  app.get('/v1/sessions', ...ctx.user, async (_req, res) => {
    res.json({ sessions: await sessionsOf(ctx.deps.tenants.forTenant(tenantOf(res).slug), principalOf(res).userId) } satisfies JsonAnswer<
      typeof voiceSessionRecordListSchema
    >);
  });
}
