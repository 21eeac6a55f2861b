import { principalOf } from '@mindbot/auth';
import { AppError, parseInput } from '@mindbot/errors';
import { connectionCreateRequestSchema, connectionSchema, type JsonAnswer } from '@mindbot/sdk/schemas';
import { connectionView } from '../domain/connections.js';
import { requestIdOf } from '../http/guards.js';
import type { AppRoute } from '../http/route-context.js';
import { adminOnly, problem, signIn } from '../http/route-responses.js';
import { tenantOf } from '../http/tenant-context.js';

/** POST /v1/sso/connections: a new SAML or OIDC connection (SAML from settings or the IdP's metadata). */
export const v1ConnectionsCreate: AppRoute = {
  spec: {
    method: 'post',
    path: '/v1/sso/connections',
    operationId: 'createConnection',
    summary: 'A new SAML (from settings or IdP metadata) or OIDC connection.',
    auth: 'admin',
    upstream: 'sso',
    body: connectionCreateRequestSchema,
    responses: {
      201: { description: 'The connection', schema: connectionSchema },
      400: problem('Invalid connection'),
      401: signIn,
      403: adminOnly,
    },
  },
  mount(router, ctx) {
    router.post('/v1/sso/connections', ...ctx.admin, async (req, res) => {
      const tenant = tenantOf(res);
      const input = parseInput(connectionCreateRequestSchema, req.body);
      const outcome = await ctx.sso.connectionAdmin.create(tenant.slug, input, {
        actorId: principalOf(res).userId,
        requestId: requestIdOf(req),
      });
      if (!outcome.ok)
        throw new AppError('validation_failed', 'The connection is invalid.', { errors: 'problems' in outcome ? outcome.problems : [] });
      const connection = outcome.value;
      res
        .status(201)
        .location(`/v1/sso/connections/${connection.id}`)
        .json(connectionView(connection, tenant.publicOrigin) satisfies JsonAnswer<typeof connectionSchema>);
    });
  },
};
