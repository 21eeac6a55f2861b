import { principalOf } from '@mindbot/auth';
import { logoutResponseSchema, type JsonAnswer } from '@mindbot/sdk/schemas';
import { requestIdOf } from '../http/guards.js';
import type { AppRoute } from '../http/route-context.js';
import { signIn } from '../http/route-responses.js';
import { tenantOf } from '../http/tenant-context.js';

/**
 * POST /v1/auth/logout: ends the caller's session (its refresh tokens stop working at once). A
 * session signed in through a SAML connection that has an IdP SLO URL and an SP key is answered
 * with the URL of a signed LogoutRequest, so the client can end the IdP session too.
 */
export const v1LogoutCreate: AppRoute = {
  spec: {
    method: 'post',
    path: '/v1/auth/logout',
    operationId: 'logout',
    summary: "End the session; a SAML session whose IdP supports single logout also gets the IdP's logout URL.",
    auth: 'user',
    upstream: 'sso',
    responses: {
      204: { description: 'Signed out' },
      200: { description: 'Signed out; send the browser to logoutUrl', schema: logoutResponseSchema },
      401: signIn,
    },
  },
  mount(router, ctx) {
    router.post('/v1/auth/logout', ctx.signedIn, async (req, res) => {
      const tenant = tenantOf(res);
      const principal = principalOf(res);
      const { logoutUrl } = await ctx.sso.logout.logout(tenant, principal, requestIdOf(req));
      if (!logoutUrl) {
        res.status(204).end();
        return;
      }
      res.set('Cache-Control', 'no-store').json({ logoutUrl } satisfies JsonAnswer<typeof logoutResponseSchema>);
    });
  },
};
