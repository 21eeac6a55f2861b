import { principalOf } from '@mindbot/auth';
import { AppError, parseInput } from '@mindbot/errors';
import { tenantUserSchema, userRolesUpdateRequestSchema, type JsonAnswer } from '@mindbot/sdk/schemas';
import { requestIdOf } from '../http/guards.js';
import type { AppRoute } from '../http/route-context.js';
import { problem, signIn } from '../http/route-responses.js';
import { unknownRolesProblem } from '../http/role-problems.js';
import { tenantOf } from '../http/tenant-context.js';

/**
 * PUT /v1/users/:userId/roles: an admin sets a user's roles. Only an owner grants or takes away
 * `owner` (or changes an owner's roles), and the last owner keeps it. Taking a role away ends the
 * user's sessions, so no token keeps a role its user lost.
 */
export const v1UsersRolesUpdate: AppRoute = {
  spec: {
    method: 'put',
    path: '/v1/users/:userId/roles',
    operationId: 'setUserRoles',
    summary:
      "Set a user's roles. Only an owner grants or takes away owner (or changes an owner's roles); the last owner keeps it. Taking a role away ends the user's sessions.",
    auth: 'admin',
    upstream: 'sso',
    body: userRolesUpdateRequestSchema,
    responses: {
      200: { description: 'The user with the new roles', schema: tenantUserSchema },
      400: problem('Invalid body'),
      401: signIn,
      403: problem('Not an owner or admin of this tenant, or an admin changing owner'),
      404: problem('No such user'),
      409: problem('The last owner cannot lose owner'),
      422: problem('A role the tenant does not have (named in `errors`)'),
    },
  },
  mount(router, ctx) {
    router.put('/v1/users/:userId/roles', ...ctx.admin, async (req, res) => {
      const input = parseInput(userRolesUpdateRequestSchema, req.body);
      const changed = await ctx.sso.users.setRoles(
        tenantOf(res).slug,
        principalOf(res),
        String(req.params.userId),
        input.roles,
        requestIdOf(req),
      );
      if (!changed.ok) {
        if (changed.failure === 'not_found') throw new AppError('not_found', 'No such user.');
        if (changed.failure === 'unknown_roles') throw unknownRolesProblem(changed.detail);
        if (changed.failure === 'owner_only')
          throw new AppError('forbidden', "Only an owner may grant or take away owner, or change an owner's roles.");
        throw new AppError('conflict', 'The last owner cannot lose owner: make someone else an owner first.');
      }
      res.json(changed.value satisfies JsonAnswer<typeof tenantUserSchema>);
    });
  },
};
