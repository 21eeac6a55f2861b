import { ssoLoginQuerySchema } from '@mindbot/sdk/schemas';
import { checkReturnTo } from '../domain/return-to.js';
import { samlOptionsFor } from '../domain/saml-login.js';
import type { SignInRelay } from '../domain/sign-in-relay.js';
import { loginConnection } from '../http/guards.js';
import { refuseLogin } from '../http/refuse-login.js';
import type { AppRoute } from '../http/route-context.js';
import { problem } from '../http/route-responses.js';
import { tenantOf } from '../http/tenant-context.js';

/**
 * GET /v1/sso/login?connection=<id> | ?email=<address>: redirects to the IdP of one of this tenant's
 * connections, found by id or by the verified domain of the email. Nothing else in the query (such as
 * an idp_hint) can route the login anywhere. With `returnTo` (one of the tenant's own origins, checked
 * before anything is stored) the IdP's answer becomes a 303 back there with a one-time code.
 */
export const v1LoginStart: AppRoute = {
  spec: {
    method: 'get',
    path: '/v1/sso/login',
    operationId: 'startSsoLogin',
    summary:
      "Start a SAML or OIDC sign-in: redirects to the IdP of one of the tenant's connections, named by id or found by the verified domain of the email. The IdP comes back to the OIDC callback or the SAML ACS, which answer tokens, or, with returnTo (one of the tenant's own origins), send the browser back there with a one-time code.",
    auth: 'public',
    upstream: 'sso',
    query: ssoLoginQuerySchema,
    responses: {
      302: { description: 'Redirect to the identity provider' },
      400: problem(
        "Neither or both of connection and email, a returnTo that is not one of the tenant's own origins, or a code_challenge without returnTo",
      ),
      404: problem('No connection for this email or id'),
      503: problem('The identity provider is unreachable'),
    },
  },
  mount(router, ctx) {
    const { sso } = ctx;
    router.get('/v1/sso/login', async (req, res) => {
      const tenant = tenantOf(res);
      const parsed = ssoLoginQuerySchema.safeParse(req.query);
      if (
        !parsed.success ||
        (parsed.data.connection === undefined) === (parsed.data.email === undefined) ||
        'SAMLResponse' in req.query ||
        'SAMLRequest' in req.query
      ) {
        return refuseLogin(sso.auditor, req, tenant.slug, { reason: 'login_request_invalid', status: 'bad_request' });
      }
      const { returnTo, code_challenge: codeChallenge } = parsed.data;
      let relay: SignInRelay | undefined;
      if (returnTo !== undefined) {
        const url = checkReturnTo(returnTo, { origin: tenant.publicOrigin, hosts: tenant.ownHosts, embedOrigins: tenant.embedOrigins });
        if (!url)
          return refuseLogin(sso.auditor, req, tenant.slug, {
            reason: 'return_to_refused',
            detail: returnTo.slice(0, 200),
            status: 'bad_request',
          });
        relay = { returnTo: url.href, ...(codeChallenge === undefined ? {} : { codeChallenge }) };
      } else if (codeChallenge !== undefined || parsed.data.code_challenge_method !== undefined) {
        return refuseLogin(sso.auditor, req, tenant.slug, { reason: 'code_challenge_without_return_to', status: 'bad_request' });
      }
      const id = parsed.data.connection ?? (await sso.domains.connectionForEmail(tenant.slug, parsed.data.email ?? ''));
      if (!id) return refuseLogin(sso.auditor, req, tenant.slug, { reason: 'no_connection_for_email', status: 'not_found' });
      if ((await sso.connectionAdmin.kindOf(tenant.slug, id)) === 'oidc') {
        const connection = await loginConnection(ctx, req, tenant, id, 'oidc');
        let authorizationUrl: URL;
        try {
          authorizationUrl = await sso.oidc.start(tenant.slug, connection, tenant.publicOrigin, relay);
        } catch (error) {
          return refuseLogin(sso.auditor, req, tenant.slug, {
            reason: 'oidc_idp_unreachable',
            detail: error instanceof Error ? error.message : undefined,
            connectionId: connection.id,
            status: 'unavailable',
          });
        }
        res.redirect(302, authorizationUrl.href);
        return;
      }
      const connection = await loginConnection(ctx, req, tenant, id, 'saml');
      const config = samlOptionsFor({
        tenant: tenant.slug,
        origin: tenant.publicOrigin,
        connection,
        store: sso.store,
        clockSkewSeconds: sso.config.SSO_CLOCK_SKEW_SECONDS,
        relay,
      });
      const run = await sso.saml.run(req, res, { config });
      if (run.kind !== 'responded')
        return refuseLogin(sso.auditor, req, tenant.slug, { reason: 'saml_request_failed', connectionId: connection.id });
    });
  },
};
