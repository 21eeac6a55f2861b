import { principalOf } from '@mindbot/auth';
import { voiceSessionRecordListSchema, type JsonAnswer } from '@mindbot/sdk/schemas';
import { sessionsOf } from '../domain/balance.js';
import { signIn } from '../http/problem-answers.js';
import type { AppRoute } from '../http/route-context.js';
import { tenantOf } from '../http/tenant-context.js';

/** GET /v1/sessions — the user's voice sessions with the seconds each one used. */
export const v1SessionsList: AppRoute = {
  spec: {
    method: 'get',
    path: '/v1/sessions',
    operationId: 'listSessions',
    summary: "The user's voice sessions with the seconds each one used.",
    auth: 'user',
    upstream: 'billing',
    responses: { 200: { description: 'Sessions', schema: voiceSessionRecordListSchema }, 401: signIn },
  },
  mount(router, ctx) {
    router.get('/v1/sessions', ...ctx.user, async (_req, res) => {
      const sessions = await sessionsOf(ctx.deps.tenants.forTenant(tenantOf(res).slug), principalOf(res).userId);
      res.json({ sessions } satisfies JsonAnswer<typeof voiceSessionRecordListSchema>);
    });
  },
};
