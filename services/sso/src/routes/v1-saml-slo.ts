import type { RequestHandler, Router } from 'express';
import { fail } from '@mindbot/errors';
import type { RouteSpec } from '@mindbot/http';
import { samlLogoutPostSchema } from '@mindbot/sdk/schemas';
import { samlOptionsFor } from '../domain/saml-login.js';
import { acceptLogoutResponse, acceptPostedLogoutResponse, type LogoutResponseOutcome } from '../domain/saml-logout.js';
import { loginConnection, requestIdOf } from '../http/guards.js';
import { refuseLogin } from '../http/refuse-login.js';
import type { AppRoute, RouteContext } from '../http/route-context.js';
import { problem } from '../http/route-responses.js';
import { samlFormBody } from '../http/saml-form-body.js';
import { tenantOf } from '../http/tenant-context.js';

const SLO_PATH = '/v1/sso/saml/:connectionId/slo';

const samlLogout = (method: 'get' | 'post'): RouteSpec => ({
  method,
  path: SLO_PATH,
  operationId: method === 'get' ? 'samlSingleLogoutRedirect' : 'samlSingleLogoutPost',
  summary: `SAML single logout (${method === 'get' ? 'HTTP-Redirect binding, signature in the query' : 'HTTP-POST binding, form post with the signature in the XML'}): the IdP's signed LogoutRequest ends the matching sessions; its signed LogoutResponse, answering a pending LogoutRequest this connection sent at logout, completes that logout, once.`,
  auth: 'public',
  upstream: 'sso',
  ...(method === 'post' ? { body: samlLogoutPostSchema, bodyMediaType: 'application/x-www-form-urlencoded' as const } : {}),
  responses: {
    204: { description: 'The LogoutResponse was accepted: the logout this SP started is completed' },
    302: { description: 'Redirect to the IdP with a LogoutResponse' },
    401: problem(
      'Unsigned, signed by another key, not from the IdP, not successful, addressed elsewhere, or answering no pending request of this connection (the reason is audited, not told)',
    ),
  },
});

/**
 * GET|POST /v1/sso/saml/:connectionId/slo: single logout. A signed LogoutRequest from the IdP ends
 * the sessions of that NameID (and SessionIndex) on this connection and is answered with a
 * LogoutResponse. The IdP's LogoutResponse to a LogoutRequest this SP sent at /v1/auth/logout, by
 * HTTP-Redirect (query signature) or HTTP-POST (signature in the XML), must be signed by the
 * connection's IdP and answer a pending request of this connection; it is used up and audited (the
 * platform session already ended at logout).
 */
function singleLogout(ctx: RouteContext): RequestHandler {
  const { sso } = ctx;
  return async (req, res) => {
    if (req.method !== 'GET' && req.method !== 'POST') {
      res.status(405).set('Allow', 'GET, POST').end();
      return;
    }
    const tenant = tenantOf(res);
    const connection = await loginConnection(ctx, req, tenant, String(req.params.connectionId), 'saml');
    const body: unknown = req.body;
    const hasRequest = 'SAMLRequest' in req.query || (typeof body === 'object' && body !== null && 'SAMLRequest' in body);
    if (!hasRequest) {
      const context = {
        tenant: tenant.slug,
        origin: tenant.publicOrigin,
        connection,
        store: sso.store,
        clockSkewSeconds: sso.config.SSO_CLOCK_SKEW_SECONDS,
      };
      const rawQuery = req.originalUrl.includes('?') ? req.originalUrl.slice(req.originalUrl.indexOf('?') + 1) : '';
      let outcome: LogoutResponseOutcome;
      if (req.method === 'GET') {
        outcome = await acceptLogoutResponse(context, req.query, rawQuery);
      } else {
        // HTTP-POST: the message is the form field only; one in the query of a POST is not this binding.
        const posted = samlLogoutPostSchema.safeParse(body);
        outcome =
          posted.success && posted.data.SAMLResponse !== undefined && !('SAMLResponse' in req.query)
            ? await acceptPostedLogoutResponse(context, posted.data.SAMLResponse, sso.config.SSO_SAML_MAX_BYTES)
            : fail('saml_logout_response_missing');
      }
      if (!outcome.ok)
        return refuseLogin(sso.auditor, req, tenant.slug, { reason: outcome.failure, detail: outcome.detail, connectionId: connection.id });
      await sso.auditor.record(tenant.slug, {
        action: 'sso.sp_logout_completed',
        target: connection.id,
        data: { inResponseTo: outcome.value.slice(0, 200) },
        requestId: requestIdOf(req),
      });
      res.status(204).end();
      return;
    }
    const config = samlOptionsFor({
      tenant: tenant.slug,
      origin: tenant.publicOrigin,
      connection,
      store: sso.store,
      clockSkewSeconds: sso.config.SSO_CLOCK_SKEW_SECONDS,
    });
    const run = await sso.saml.run(req, res, {
      config,
      onLogoutRequest: async (profile) => {
        await sso.logout.endSamlSessions(
          tenant.slug,
          { connectionId: connection.id, nameId: profile.nameID, sessionIndex: profile.sessionIndex },
          requestIdOf(req),
        );
      },
    });
    if (run.kind !== 'responded')
      return refuseLogin(sso.auditor, req, tenant.slug, {
        reason: 'saml_logout_invalid',
        detail: run.kind === 'failed' ? run.message : undefined,
        connectionId: connection.id,
      });
  };
}

const mounted = new WeakSet<Router>();

/**
 * Both bindings are one express route on `all()`: the handler tells them apart (and answers any
 * other method 405, naming the two). Whichever of the two routes is mounted first mounts it.
 */
function mountSingleLogout(router: Router, ctx: RouteContext): void {
  if (mounted.has(router)) return;
  mounted.add(router);
  const [parseBody, refuseBody] = samlFormBody(ctx.sso);
  router.all(SLO_PATH, parseBody, refuseBody, singleLogout(ctx));
}

/** GET: the HTTP-Redirect binding (the signature in the query). */
export const v1SamlSloRedirect: AppRoute = {
  spec: samlLogout('get'),
  mount: mountSingleLogout,
};

/** POST: the HTTP-POST binding (a form post, the signature in the XML). */
export const v1SamlSloPost: AppRoute = {
  spec: samlLogout('post'),
  mount: mountSingleLogout,
};
