import type { Router } from 'express';
import { principalOf } from '@mindbot/auth';
import { AppError } from '@mindbot/errors';
import { emailDomainSchema, domainSchema, type JsonAnswer } from '@mindbot/sdk/schemas';
import { requestIdOf, tenantAdmin } from '../http/guards.js';
import { tenantOf } from '../http/tenant-context.js';
import type { Sso } from '../sso.js';

/** POST /v1/sso/domains/:domain/verify: looks up the TXT record; a verified domain routes logins by email. */
export function v1DomainsVerify(router: Router, sso: Sso): void {
  router.post('/v1/sso/domains/:domain/verify', ...tenantAdmin(sso), async (req, res) => {
    const tenant = tenantOf(res);
    const domain = emailDomainSchema.safeParse(req.params.domain);
    if (!domain.success) throw new AppError('not_found', 'No such domain.');
    const outcome = await sso.domains.verify(tenant.slug, domain.data);
    if (!outcome.ok) {
      if (outcome.reason === 'record_missing')
        throw new AppError('unprocessable', 'The TXT record was not found.', {
          extensions: { recordName: `_mindbot-verification.${domain.data}` },
        });
      throw new AppError('not_found', 'No such domain.');
    }
    await sso.auditor.record(tenant.slug, {
      action: 'sso.domain_verified',
      actorId: principalOf(res).userId,
      target: domain.data,
      requestId: requestIdOf(req),
    });
    res.json(outcome.domain satisfies JsonAnswer<typeof domainSchema>);
  });
}
