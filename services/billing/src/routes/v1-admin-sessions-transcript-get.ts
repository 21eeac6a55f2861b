import { AppError, parseInput } from '@mindbot/errors';
import { voiceSessionTranscriptSchema, type JsonAnswer } from '@mindbot/sdk/schemas';
import { sessionEventsOf } from '../domain/session-events.js';
import { adminOnly, problem, signIn } from '../http/problem-answers.js';
import type { AppRoute } from '../http/route-context.js';
import { sessionIdParams } from '../http/schemas.js';
import { tenantOf } from '../http/tenant-context.js';

/** GET /v1/admin/sessions/:id/transcript — a tenant admin reads any call of the tenant's users. */
export const v1AdminSessionsTranscriptGet: AppRoute = {
  spec: {
    method: 'get',
    path: '/v1/admin/sessions/:id/transcript',
    operationId: 'getAnySessionTranscript',
    summary: 'A tenant admin reads the transcript of any call of the tenant’s users.',
    auth: 'admin',
    upstream: 'billing',
    responses: {
      200: { description: 'The transcript', schema: voiceSessionTranscriptSchema },
      401: signIn,
      403: adminOnly,
      404: problem('No such session'),
    },
  },
  mount(router, ctx) {
    router.get('/v1/admin/sessions/:id/transcript', ...ctx.admin, async (req, res) => {
      const { id } = parseInput(sessionIdParams, req.params, 'params');
      const transcript = await sessionEventsOf(ctx.deps.tenants.forTenant(tenantOf(res).slug), id, null);
      if (!transcript) throw new AppError('not_found', 'No such voice session.');
      res.json(transcript satisfies JsonAnswer<typeof voiceSessionTranscriptSchema>);
    });
  },
};
