import { principalOf } from '@mindbot/auth';
import { AppError } from '@mindbot/errors';
import { meSchema, type JsonAnswer } from '@mindbot/sdk/schemas';
import type { AppRoute } from '../http/route-context.js';
import { signIn } from '../http/route-responses.js';
import { tenantOf } from '../http/tenant-context.js';

/** GET /v1/auth/me: the signed-in user, their roles and identities. */
export const v1MeGet: AppRoute = {
  spec: {
    method: 'get',
    path: '/v1/auth/me',
    operationId: 'getMe',
    summary: 'The signed-in user, their roles and identities.',
    auth: 'user',
    upstream: 'sso',
    responses: { 200: { description: 'The user', schema: meSchema }, 401: signIn },
  },
  mount(router, ctx) {
    router.get('/v1/auth/me', ctx.signedIn, async (_req, res) => {
      const tenant = tenantOf(res);
      const principal = principalOf(res);
      const profile = await ctx.sso.users.profile(tenant.slug, principal.userId);
      if (!profile.ok) throw new AppError('not_found', 'No such user.');
      const user = profile.value;
      res.json({
        id: user.id,
        tenant: tenant.slug,
        email: user.email,
        displayName: user.displayName,
        roles: user.roles,
        identities: user.identities,
        sessionId: principal.sessionId,
      } satisfies JsonAnswer<typeof meSchema>);
    });
  },
};
