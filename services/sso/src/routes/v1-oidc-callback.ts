import type { RequestHandler } from 'express';
import { oidcCallbackQuerySchema } from '@mindbot/sdk/schemas';
import { finishIdpLogin } from '../http/finish-login.js';
import { loginConnection } from '../http/guards.js';
import { refuseLogin } from '../http/refuse-login.js';
import { refusedSignInRedirect } from '../http/refused-sign-in-redirect.js';
import type { AppRoute } from '../http/route-context.js';
import { backToApp, lostRace, problem, refused, tokens } from '../http/route-responses.js';
import { tenantOf } from '../http/tenant-context.js';

/**
 * GET /v1/sso/oidc/:connectionId/callback: the IdP's authorization response; answers platform tokens,
 * or a 303 to the sign-in's returnTo with a one-time code when it was started with one. A refusal
 * of such a sign-in goes back to returnTo too (`#error=…`); without a known state there is no
 * trusted returnTo, and the refusal is the problem answer.
 */
export const v1OidcCallback: AppRoute = {
  spec: {
    method: 'get',
    path: '/v1/sso/oidc/:connectionId/callback',
    operationId: 'completeOidcLogin',
    summary: 'The OIDC redirect back (authorization code + state): answers platform tokens, or a 303 to returnTo with a one-time code.',
    auth: 'public',
    upstream: 'sso',
    query: oidcCallbackQuerySchema,
    responses: {
      200: tokens,
      303: backToApp,
      401: refused,
      403: problem('No account may be created for this identity'),
      409: lostRace,
      429: problem('Too many sign-ins'),
    },
  },
  mount(router, ctx) {
    const { sso } = ctx;
    const callback: RequestHandler = async (req, res) => {
      const tenant = tenantOf(res);
      const currentUrl = new URL(req.originalUrl, tenant.publicOrigin);
      const taken = await sso.oidc.takeTransaction(tenant.slug, currentUrl);
      const transaction = taken.ok ? taken.value : undefined;
      const returnTo = transaction?.relay?.returnTo;
      const connection = await loginConnection(ctx, req, tenant, String(req.params.connectionId), 'oidc', returnTo);
      if (!taken.ok) return refuseLogin(sso.auditor, req, tenant.slug, { reason: `oidc_${taken.failure}`, connectionId: connection.id });
      const outcome = await sso.oidc.callback(connection, taken.value, currentUrl);
      if (!outcome.ok)
        return refuseLogin(sso.auditor, req, tenant.slug, {
          reason: `oidc_${outcome.failure}`,
          detail: outcome.detail,
          connectionId: connection.id,
          returnTo,
        });
      await finishIdpLogin(ctx, req, res, { tenant, connection, identity: outcome.value, relay: taken.value.relay });
    };
    router.get('/v1/sso/oidc/:connectionId/callback', ctx.loginRateLimit, callback, refusedSignInRedirect);
  },
};
