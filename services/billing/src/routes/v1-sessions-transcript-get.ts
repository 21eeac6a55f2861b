import { principalOf } from '@mindbot/auth';
import { AppError, parseInput } from '@mindbot/errors';
import { voiceSessionTranscriptSchema, type JsonAnswer } from '@mindbot/sdk/schemas';
import { sessionEventsOf } from '../domain/session-events.js';
import { problem, signIn } from '../http/problem-answers.js';
import type { AppRoute } from '../http/route-context.js';
import { sessionIdParams } from '../http/schemas.js';
import { tenantOf } from '../http/tenant-context.js';

/** GET /v1/sessions/:id/transcript — what was said and done in one of the user's own calls. */
export const v1SessionsTranscriptGet: AppRoute = {
  spec: {
    method: 'get',
    path: '/v1/sessions/:id/transcript',
    operationId: 'getSessionTranscript',
    summary: 'What was said and done in one of the user’s calls: their turns, the agent’s, and each tool call.',
    auth: 'user',
    upstream: 'billing',
    responses: {
      200: { description: 'The transcript', schema: voiceSessionTranscriptSchema },
      401: signIn,
      404: problem('No such session of this user'),
    },
  },
  mount(router, ctx) {
    router.get('/v1/sessions/:id/transcript', ...ctx.user, async (req, res) => {
      const { id } = parseInput(sessionIdParams, req.params, 'params');
      const transcript = await sessionEventsOf(ctx.deps.tenants.forTenant(tenantOf(res).slug), id, principalOf(res).userId);
      if (!transcript) throw new AppError('not_found', 'No such voice session.');
      res.json(transcript satisfies JsonAnswer<typeof voiceSessionTranscriptSchema>);
    });
  },
};
