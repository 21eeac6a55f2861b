import { principalOf } from '@mindbot/auth';
import { AppError, parseInput } from '@mindbot/errors';
import { domainClaimRequestSchema, domainSchema, type JsonAnswer } from '@mindbot/sdk/schemas';
import { requestIdOf } from '../http/guards.js';
import type { AppRoute } from '../http/route-context.js';
import { adminOnly, problem, signIn } from '../http/route-responses.js';
import { tenantOf } from '../http/tenant-context.js';

/** POST /v1/sso/domains: claims an email domain (and the connection it routes to); answers the TXT record to publish. */
export const v1DomainsCreate: AppRoute = {
  spec: {
    method: 'post',
    path: '/v1/sso/domains',
    operationId: 'claimDomain',
    summary: 'Claim an email domain (and the connection it routes to); answers the TXT record to publish.',
    auth: 'admin',
    upstream: 'sso',
    body: domainClaimRequestSchema,
    responses: {
      201: { description: 'The claim, with the TXT record to publish', schema: domainSchema },
      400: problem('Invalid claim'),
      401: signIn,
      403: adminOnly,
    },
  },
  mount(router, ctx) {
    router.post('/v1/sso/domains', ...ctx.admin, async (req, res) => {
      const tenant = tenantOf(res);
      const input = parseInput(domainClaimRequestSchema, req.body);
      const outcome = await ctx.sso.domains.claim(tenant.slug, input.domain, input.connectionId, {
        actorId: principalOf(res).userId,
        requestId: requestIdOf(req),
      });
      if (!outcome.ok)
        throw new AppError('validation_failed', 'The domain claim is invalid.', {
          errors: [{ path: 'body.connectionId', message: 'must name a connection of this tenant' }],
        });
      res.status(201).json(outcome.value satisfies JsonAnswer<typeof domainSchema>);
    });
  },
};
