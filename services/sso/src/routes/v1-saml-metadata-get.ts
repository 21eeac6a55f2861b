import { AppError } from '@mindbot/errors';
import { pemCertificate } from '../domain/connection-settings.js';
import { samlOptionsFor } from '../domain/saml-login.js';
import { withBothSloBindings } from '../domain/sp-slo-bindings.js';
import type { AppRoute } from '../http/route-context.js';
import { problem } from '../http/route-responses.js';
import { tenantOf } from '../http/tenant-context.js';

/** GET /v1/sso/saml/:connectionId/metadata: the SP metadata the IdP admin imports (entity id, ACS, SLO by HTTP-Redirect and HTTP-POST, certificate). */
export const v1SamlMetadataGet: AppRoute = {
  spec: {
    method: 'get',
    path: '/v1/sso/saml/:connectionId/metadata',
    operationId: 'getSamlMetadata',
    summary: "The SP metadata the IdP's admin imports (entity id, ACS, SLO, certificate).",
    auth: 'public',
    upstream: 'sso',
    responses: {
      200: { description: 'SAML metadata', mediaType: 'application/samlmetadata+xml' },
      404: problem('No such SAML connection'),
    },
  },
  mount(router, ctx) {
    const { sso } = ctx;
    router.get('/v1/sso/saml/:connectionId/metadata', async (req, res) => {
      const tenant = tenantOf(res);
      const connection = await sso.connectionAdmin.find(tenant.slug, req.params.connectionId);
      if (connection?.kind !== 'saml') throw new AppError('not_found', 'No such SAML connection.');
      const config = samlOptionsFor({
        tenant: tenant.slug,
        origin: tenant.publicOrigin,
        connection,
        store: sso.store,
        clockSkewSeconds: sso.config.SSO_CLOCK_SKEW_SECONDS,
      });
      const cert = connection.settings.spCertificate ? pemCertificate(connection.settings.spCertificate) : null;
      const metadata = await sso.saml.metadata(
        req,
        config,
        connection.secrets.spPrivateKey ? cert : null,
        connection.secrets.spPrivateKey ? cert : null,
      );
      res.type('application/samlmetadata+xml').send(withBothSloBindings(metadata));
    });
  },
};
