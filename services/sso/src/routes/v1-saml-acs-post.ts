import type { RequestHandler } from 'express';
import { samlPostSchema } from '@mindbot/sdk/schemas';
import { checkVerifiedAssertion, pendingRequests, samlAcsOptionsFor, samlEndpoints } from '../domain/saml-login.js';
import { takeSamlRelay } from '../domain/sign-in-relay.js';
import { assertLoginResponseShape, parseUntrustedXml, SAML_ASSERTION_NS, XmlGuardError } from '../domain/xml-guard.js';
import { finishIdpLogin } from '../http/finish-login.js';
import { loginConnection } from '../http/guards.js';
import { refuseLogin } from '../http/refuse-login.js';
import { refusedSignInRedirect } from '../http/refused-sign-in-redirect.js';
import type { AppRoute } from '../http/route-context.js';
import { backToApp, lostRace, problem, refused, tokens } from '../http/route-responses.js';
import { samlFormBody } from '../http/saml-form-body.js';
import { tenantOf } from '../http/tenant-context.js';

const STATUS_OF = {
  xml_too_large: 'payload_too_large',
  xml_malformed: 'bad_request',
  xml_doctype: 'bad_request',
  xml_comment: 'unauthenticated',
  xml_structure: 'unauthenticated',
} as const;

/**
 * POST /v1/sso/saml/:connectionId/acs: the IdP's signed response (SP- or, when allowed, IdP-initiated);
 * answers platform tokens, or a 303 to returnTo with a one-time code when the AuthnRequest this
 * response answers (the InResponseTo of its signed bearer confirmation, which must be the Response's
 * too; never the IdP-supplied RelayState) was started with one. The Web Browser SSO profile's rules
 * are checkVerifiedAssertion's, after node-saml checked the signature.
 * A refused response that names one of this connection's pending AuthnRequests started with returnTo
 * goes back there with `#error=…`: the address is the one SSO stored for that request, so a forged
 * InResponseTo can at most send the browser to one of the tenant's own checked pages, carrying no code.
 */
export const v1SamlAcsPost: AppRoute = {
  spec: {
    method: 'post',
    path: '/v1/sso/saml/:connectionId/acs',
    operationId: 'completeSamlLogin',
    summary:
      "The IdP's signed SAML Response (HTTP-POST binding): answers platform tokens, or a 303 to returnTo with a one-time code when the AuthnRequest it answers was started with one.",
    auth: 'public',
    upstream: 'sso',
    body: samlPostSchema,
    bodyMediaType: 'application/x-www-form-urlencoded',
    responses: {
      200: tokens,
      303: backToApp,
      400: problem('No SAML response'),
      401: refused,
      403: problem('No account may be created for this identity'),
      409: lostRace,
      413: problem('Too large'),
      429: problem('Too many sign-ins'),
    },
  },
  mount(router, ctx) {
    const { sso } = ctx;
    const [parseBody, refuseBody] = samlFormBody(sso);
    const acs: RequestHandler = async (req, res) => {
      const tenant = tenantOf(res);
      const connection = await loginConnection(ctx, req, tenant, String(req.params.connectionId), 'saml');
      const form = samlPostSchema.safeParse(req.body);
      if (!form.success || 'SAMLResponse' in req.query || 'SAMLRequest' in req.query) {
        return refuseLogin(sso.auditor, req, tenant.slug, {
          reason: 'saml_response_missing',
          connectionId: connection.id,
          status: 'bad_request',
        });
      }
      const xml = Buffer.from(form.data.SAMLResponse, 'base64').toString('utf8');
      let doc: Document;
      try {
        doc = parseUntrustedXml(xml, { maxBytes: sso.config.SSO_SAML_MAX_BYTES, allowComments: false });
        assertLoginResponseShape(doc);
      } catch (error) {
        const reason = error instanceof XmlGuardError ? error.reason : 'xml_malformed';
        return refuseLogin(sso.auditor, req, tenant.slug, {
          reason,
          detail: error instanceof Error ? error.message : undefined,
          connectionId: connection.id,
          status: STATUS_OF[reason],
        });
      }
      const root = doc.documentElement;
      // The request the Response says it answers is used up now, whatever follows: a response naming it
      // again (after this one signed someone in, or was refused) finds nothing pending. Its relay is
      // taken with it; it is used only if the signed assertion answers that same request.
      const claimed = root.getAttribute('InResponseTo') ?? '';
      const requests = pendingRequests(sso.store, tenant.slug, connection.id);
      if (claimed !== '') await requests.take(claimed);
      const relay = await takeSamlRelay(sso.store, tenant.slug, connection.id, claimed);
      const refuse = (refusal: { reason: string; detail?: string | undefined }) =>
        refuseLogin(sso.auditor, req, tenant.slug, { ...refusal, connectionId: connection.id, returnTo: relay?.returnTo });
      const config = samlAcsOptionsFor({
        tenant: tenant.slug,
        origin: tenant.publicOrigin,
        connection,
        store: sso.store,
        clockSkewSeconds: sso.config.SSO_CLOCK_SKEW_SECONDS,
      });
      const run = await sso.saml.run(req, res, { config });
      if (run.kind === 'responded') return;
      if (run.kind === 'failed') return refuse({ reason: 'saml_invalid', detail: run.message });
      const checked = await checkVerifiedAssertion({
        tenant: tenant.slug,
        connection,
        endpoints: samlEndpoints(tenant.publicOrigin, connection.id),
        profile: run.profile,
        response: root,
        wasEncrypted: doc.getElementsByTagNameNS(SAML_ASSERTION_NS, 'EncryptedAssertion').length > 0,
        store: sso.store,
        requests,
        clockSkewSeconds: sso.config.SSO_CLOCK_SKEW_SECONDS,
        maxBytes: sso.config.SSO_SAML_MAX_BYTES,
      });
      if (!checked.ok) return refuse({ reason: checked.failure, detail: checked.detail });
      await finishIdpLogin(ctx, req, res, {
        tenant,
        connection,
        identity: checked.value.identity,
        saml: { nameId: checked.value.nameId, sessionIndex: checked.value.sessionIndex },
        relay,
      });
    };
    router.post('/v1/sso/saml/:connectionId/acs', parseBody, refuseBody, ctx.loginRateLimit, acs, refusedSignInRedirect);
  },
};
