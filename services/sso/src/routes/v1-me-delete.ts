import { principalOf } from '@mindbot/auth';
import { parseInput } from '@mindbot/errors';
import { erasureSchema, selfErasureRequestSchema, type JsonAnswer } from '@mindbot/sdk/schemas';
import { erasureProblem } from '../http/erasure-problems.js';
import { requestIdOf } from '../http/guards.js';
import type { AppRoute } from '../http/route-context.js';
import { problem, signIn } from '../http/route-responses.js';
import { tenantOf } from '../http/tenant-context.js';

/** DELETE /v1/me: the signed-in user erases themselves, confirming with their email. */
export const v1MeDelete: AppRoute = {
  spec: {
    method: 'delete',
    path: '/v1/me',
    operationId: 'eraseMe',
    summary:
      'Erase yourself from this tenant, confirming with your email: your account, identities, sessions, preferences and conversations are deleted and every token stops working; purchases, time cards and the minute ledger are kept for bookkeeping under an id that leads to no one. Cannot be undone.',
    auth: 'user',
    upstream: 'sso',
    body: selfErasureRequestSchema,
    responses: {
      200: { description: 'Erased', schema: erasureSchema },
      400: problem('Invalid body'),
      401: signIn,
      409: problem('The last owner'),
      422: problem('The confirmation is not your email'),
    },
  },
  mount(router, ctx) {
    router.delete('/v1/me', ctx.signedIn, async (req, res) => {
      const input = parseInput(selfErasureRequestSchema, req.body);
      const erased = await ctx.sso.personalData.erase(
        tenantOf(res).slug,
        { by: 'self', userId: principalOf(res).userId, confirm: input.confirm },
        requestIdOf(req),
      );
      if (!erased.ok) throw erasureProblem(erased.failure);
      const { sessionsEnded, financialRecordsKept } = erased.value;
      res.json({ erased: true, sessionsEnded, financialRecordsKept } satisfies JsonAnswer<typeof erasureSchema>);
    });
  },
};
