import { AppError, parseInput } from '@mindbot/errors';
import { connectionCheckRequestSchema, connectionCheckSchema, type JsonAnswer } from '@mindbot/sdk/schemas';
import { checkConnection } from '../domain/connection-check.js';
import type { AppRoute } from '../http/route-context.js';
import { adminOnly, problem, signIn } from '../http/route-responses.js';
import { tenantOf } from '../http/tenant-context.js';

/**
 * POST /v1/sso/connections/:id/test: "Test connection" in the console. SSO loads what it would use
 * at sign-in (an OIDC discovery document and its JWKS; a SAML IdP's certificates and, when given,
 * its metadata) and says what it found. Fetches go only to public https addresses (idp-fetch.ts).
 */
export const v1ConnectionsTest: AppRoute = {
  spec: {
    method: 'post',
    path: '/v1/sso/connections/:id/test',
    operationId: 'testConnection',
    summary:
      "Check a connection without signing in: the IdP's discovery document and keys (OIDC), or its certificates and metadata (SAML).",
    auth: 'admin',
    upstream: 'sso',
    body: connectionCheckRequestSchema,
    responses: {
      200: { description: 'Every check made (ok when all passed)', schema: connectionCheckSchema },
      400: problem('Invalid body'),
      401: signIn,
      403: adminOnly,
      404: problem('No such connection'),
    },
  },
  mount(router, ctx) {
    router.post('/v1/sso/connections/:id/test', ...ctx.admin, async (req, res) => {
      const tenant = tenantOf(res);
      const input = parseInput(connectionCheckRequestSchema, req.body ?? {});
      const connection = await ctx.sso.connectionAdmin.find(tenant.slug, String(req.params.id));
      if (!connection) throw new AppError('not_found', 'No such connection.');
      const checks = await checkConnection(
        connection,
        { allowPrivate: ctx.sso.config.SSO_ALLOW_INSECURE_IDP_URLS, maxBytes: ctx.sso.config.SSO_SAML_MAX_BYTES },
        input.metadataUrl,
      );
      req.log.info(
        { connectionId: connection.id, passed: checks.filter((c) => c.ok).length, failed: checks.filter((c) => !c.ok).length },
        'connection tested',
      );
      res.json({
        ok: checks.every((c) => c.ok),
        checkedAt: new Date().toISOString(),
        checks,
      } satisfies JsonAnswer<typeof connectionCheckSchema>);
    });
  },
};
