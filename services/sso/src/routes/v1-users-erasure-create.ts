import { principalOf } from '@mindbot/auth';
import { parseInput } from '@mindbot/errors';
import { erasureSchema, userErasureRequestSchema, type JsonAnswer } from '@mindbot/sdk/schemas';
import { erasureProblem } from '../http/erasure-problems.js';
import { requestIdOf } from '../http/guards.js';
import type { AppRoute } from '../http/route-context.js';
import { problem, signIn } from '../http/route-responses.js';
import { tenantOf } from '../http/tenant-context.js';

/** POST /v1/users/:userId/erasure: an admin erases a user of the tenant (a data subject's erasure request), confirming with the id. */
export const v1UsersErasureCreate: AppRoute = {
  spec: {
    method: 'post',
    path: '/v1/users/:userId/erasure',
    operationId: 'eraseUser',
    summary:
      "Erase a user of this tenant (a data subject's erasure request), repeating their id to confirm: personal data is deleted or anonymised everywhere and every token stops working; financial records are kept under an id that leads to no one. Not yourself (DELETE /v1/me); only an owner erases an owner; never the last owner. Audited.",
    auth: 'admin',
    upstream: 'sso',
    body: userErasureRequestSchema,
    responses: {
      200: { description: 'Erased', schema: erasureSchema },
      400: problem('Invalid body'),
      401: signIn,
      403: problem('Not an owner or admin of this tenant, or an admin erasing an owner'),
      404: problem('No such user'),
      409: problem('The last owner'),
      422: problem('Erasing yourself here, or a confirmation that is not the user’s id'),
    },
  },
  mount(router, ctx) {
    router.post('/v1/users/:userId/erasure', ...ctx.admin, async (req, res) => {
      const input = parseInput(userErasureRequestSchema, req.body);
      const principal = principalOf(res);
      const erased = await ctx.sso.personalData.erase(
        tenantOf(res).slug,
        { by: 'admin', actor: principal, userId: String(req.params.userId), confirm: input.confirm },
        requestIdOf(req),
      );
      if (!erased.ok) throw erasureProblem(erased.failure);
      const { sessionsEnded, financialRecordsKept } = erased.value;
      res.json({ erased: true, sessionsEnded, financialRecordsKept } satisfies JsonAnswer<typeof erasureSchema>);
    });
  },
};
