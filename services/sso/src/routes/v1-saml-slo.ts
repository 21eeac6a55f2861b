import type { RequestHandler, Router } from 'express';
import { samlLogoutPostSchema } from '@mindbot/sdk/schemas';
import { samlOptionsFor } from '../domain/saml-login.js';
import { acceptLogoutResponse, acceptPostedLogoutResponse, type LogoutResponseOutcome } from '../domain/saml-logout.js';
import { loginConnection, requestIdOf } from '../http/guards.js';
import { refuseLogin } from '../http/refuse-login.js';
import { samlFormBody } from './v1-saml-acs-post.js';
import { tenantOf } from '../http/tenant-context.js';
import type { Sso } from '../sso.js';

/**
 * GET|POST /v1/sso/saml/:connectionId/slo: single logout. A signed LogoutRequest from the IdP ends
 * the sessions of that NameID (and SessionIndex) on this connection and is answered with a
 * LogoutResponse. The IdP's LogoutResponse to a LogoutRequest this SP sent at /v1/auth/logout, by
 * HTTP-Redirect (query signature) or HTTP-POST (signature in the XML), must be signed by the
 * connection's IdP and answer a pending request of this connection; it is used up and audited (the
 * platform session already ended at logout).
 */
export function v1SamlSlo(router: Router, sso: Sso): void {
  const [parseBody, refuseBody] = samlFormBody(sso);
  const slo: RequestHandler = async (req, res) => {
    if (req.method !== 'GET' && req.method !== 'POST') {
      res.status(405).set('Allow', 'GET, POST').end();
      return;
    }
    const tenant = tenantOf(res);
    const connection = await loginConnection(sso, req, tenant, String(req.params.connectionId), 'saml');
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
            : { ok: false, reason: 'saml_logout_response_missing' };
      }
      if (!outcome.ok)
        return refuseLogin(sso.auditor, req, tenant.slug, { reason: outcome.reason, detail: outcome.detail, connectionId: connection.id });
      await sso.auditor.record(tenant.slug, {
        action: 'sso.sp_logout_completed',
        target: connection.id,
        data: { inResponseTo: outcome.inResponseTo.slice(0, 200) },
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
        const ended = await sso.deps.tenants.forTenant(tenant.slug).transaction(async (tx) => {
          const { count } = await tx.authSession.updateMany({
            where: {
              connectionId: connection.id,
              samlNameId: profile.nameID,
              revokedAt: null,
              ...(profile.sessionIndex ? { samlSessionIndex: profile.sessionIndex } : {}),
            },
            data: { revokedAt: new Date(), revokedReason: 'saml_single_logout' },
          });
          return count;
        });
        await sso.auditor.record(tenant.slug, {
          action: 'sso.single_logout',
          target: connection.id,
          data: { sessionsEnded: ended },
          requestId: requestIdOf(req),
        });
      },
    });
    if (run.kind !== 'responded')
      return refuseLogin(sso.auditor, req, tenant.slug, {
        reason: 'saml_logout_invalid',
        detail: run.kind === 'failed' ? run.message : undefined,
        connectionId: connection.id,
      });
  };
  router.all('/v1/sso/saml/:connectionId/slo', parseBody, refuseBody, slo);
}
