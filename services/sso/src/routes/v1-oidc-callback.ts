import type { Router } from 'express';
import { finishIdpLogin } from '../http/finish-login.js';
import { loginConnection } from '../http/guards.js';
import { loginRateLimit } from '../http/login-rate-limit.js';
import { refuseLogin } from '../http/refuse-login.js';
import { tenantOf } from '../http/tenant-context.js';
import type { Sso } from '../sso.js';

/**
 * GET /v1/sso/oidc/:connectionId/callback: the IdP's authorization response; answers platform tokens,
 * or a 303 to the sign-in's returnTo with a one-time code when it was started with one.
 */
export function v1OidcCallback(router: Router, sso: Sso): void {
  router.get('/v1/sso/oidc/:connectionId/callback', loginRateLimit(sso), async (req, res) => {
    const tenant = tenantOf(res);
    const connection = await loginConnection(sso, req, tenant, String(req.params.connectionId), 'oidc');
    const outcome = await sso.oidc.callback(tenant.slug, connection, new URL(req.originalUrl, tenant.publicOrigin));
    if (!outcome.ok) return refuseLogin(sso.auditor, req, tenant.slug, { reason: `oidc_${outcome.reason}`, detail: outcome.detail, connectionId: connection.id });
    await finishIdpLogin(sso, req, res, { tenant, connection, identity: outcome.identity, relay: outcome.relay });
  });
}
