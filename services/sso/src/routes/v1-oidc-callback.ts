import type { RequestHandler, Router } from 'express';
import { finishIdpLogin } from '../http/finish-login.js';
import { loginConnection } from '../http/guards.js';
import { loginRateLimit } from '../http/login-rate-limit.js';
import { refuseLogin } from '../http/refuse-login.js';
import { refusedSignInRedirect } from '../http/refused-sign-in-redirect.js';
import { tenantOf } from '../http/tenant-context.js';
import type { Sso } from '../sso.js';

/**
 * GET /v1/sso/oidc/:connectionId/callback: the IdP's authorization response; answers platform tokens,
 * or a 303 to the sign-in's returnTo with a one-time code when it was started with one. A refusal
 * of such a sign-in goes back to returnTo too (`#error=…`); without a known state there is no
 * trusted returnTo, and the refusal is the problem answer.
 */
export function v1OidcCallback(router: Router, sso: Sso): void {
  const callback: RequestHandler = async (req, res) => {
    const tenant = tenantOf(res);
    const currentUrl = new URL(req.originalUrl, tenant.publicOrigin);
    const taken = await sso.oidc.takeTransaction(tenant.slug, currentUrl);
    const returnTo = taken.ok ? taken.transaction.relay?.returnTo : undefined;
    const connection = await loginConnection(sso, req, tenant, String(req.params.connectionId), 'oidc', returnTo);
    if (!taken.ok) return refuseLogin(sso.auditor, req, tenant.slug, { reason: `oidc_${taken.reason}`, connectionId: connection.id });
    const outcome = await sso.oidc.callback(connection, taken.transaction, currentUrl);
    if (!outcome.ok)
      return refuseLogin(sso.auditor, req, tenant.slug, {
        reason: `oidc_${outcome.reason}`,
        detail: outcome.detail,
        connectionId: connection.id,
        returnTo,
      });
    await finishIdpLogin(sso, req, res, { tenant, connection, identity: outcome.identity, relay: taken.transaction.relay });
  };
  router.get('/v1/sso/oidc/:connectionId/callback', loginRateLimit(sso), callback, refusedSignInRedirect);
}
