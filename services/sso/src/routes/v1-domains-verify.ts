import { principalOf } from '@mindbot/auth';
import { AppError } from '@mindbot/errors';
import { emailDomainSchema, domainSchema, type JsonAnswer } from '@mindbot/sdk/schemas';
import { requestIdOf } from '../http/guards.js';
import type { AppRoute } from '../http/route-context.js';
import { adminOnly, problem, signIn } from '../http/route-responses.js';
import { tenantOf } from '../http/tenant-context.js';

/** POST /v1/sso/domains/:domain/verify: looks up the TXT record; a verified domain routes logins by email. */
export const v1DomainsVerify: AppRoute = {
  spec: {
    method: 'post',
    path: '/v1/sso/domains/:domain/verify',
    operationId: 'verifyDomain',
    summary: 'Look up the TXT record; a verified domain routes sign-ins by email.',
    auth: 'admin',
    upstream: 'sso',
    responses: {
      200: { description: 'The verified domain', schema: domainSchema },
      401: signIn,
      403: adminOnly,
      404: problem('No such domain'),
      422: problem('The TXT record was not found'),
    },
  },
  mount(router, ctx) {
    router.post('/v1/sso/domains/:domain/verify', ...ctx.admin, async (req, res) => {
      const tenant = tenantOf(res);
      const domain = emailDomainSchema.safeParse(req.params.domain);
      if (!domain.success) throw new AppError('not_found', 'No such domain.');
      const outcome = await ctx.sso.domains.verify(tenant.slug, domain.data, {
        actorId: principalOf(res).userId,
        requestId: requestIdOf(req),
      });
      if (!outcome.ok) {
        if (outcome.failure === 'record_missing')
          throw new AppError('unprocessable', 'The TXT record was not found.', {
            extensions: { recordName: `_mindbot-verification.${domain.data}` },
          });
        throw new AppError('not_found', 'No such domain.');
      }
      res.json(outcome.value satisfies JsonAnswer<typeof domainSchema>);
    });
  },
};
