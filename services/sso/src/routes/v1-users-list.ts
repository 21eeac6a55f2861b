import { parseInput } from '@mindbot/errors';
import { userListQuerySchema, userListSchema, type JsonAnswer } from '@mindbot/sdk/schemas';
import type { AppRoute } from '../http/route-context.js';
import { adminOnly, problem, signIn } from '../http/route-responses.js';
import { tenantOf } from '../http/tenant-context.js';

/** GET /v1/users: an admin pages through the tenant's users (oldest first), optionally matching part of an email or name. */
export const v1UsersList: AppRoute = {
  spec: {
    method: 'get',
    path: '/v1/users',
    operationId: 'listUsers',
    summary: "The tenant's users with their roles, status and last sign-in, oldest first; `q` matches part of an email or display name.",
    auth: 'admin',
    upstream: 'sso',
    query: userListQuerySchema,
    responses: {
      200: { description: 'One page of users', schema: userListSchema },
      400: problem('Invalid query'),
      401: signIn,
      403: adminOnly,
    },
  },
  mount(router, ctx) {
    router.get('/v1/users', ...ctx.admin, async (req, res) => {
      const query = parseInput(userListQuerySchema, req.query, 'query');
      const page = await ctx.sso.users.list(tenantOf(res).slug, query);
      res.json(page satisfies JsonAnswer<typeof userListSchema>);
    });
  },
};
