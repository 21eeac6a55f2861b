import type { Router } from 'express';
import { principalOf } from '@mindbot/auth';
import { AppError, parseInput } from '@mindbot/errors';
import { domainClaimRequestSchema, domainSchema, type JsonAnswer } from '@mindbot/sdk/schemas';
import { requestIdOf, tenantAdmin } from '../http/guards.js';
import { tenantOf } from '../http/tenant-context.js';
import type { Sso } from '../sso.js';

/** POST /v1/sso/domains: claims an email domain (and the connection it routes to); answers the TXT record to publish. */
export function v1DomainsCreate(router: Router, sso: Sso): void {
  router.post('/v1/sso/domains', ...tenantAdmin(sso), async (req, res) => {
    const tenant = tenantOf(res);
    const input = parseInput(domainClaimRequestSchema, req.body);
    const outcome = await sso.domains.claim(tenant.slug, input.domain, input.connectionId);
    if (!outcome.ok)
      throw new AppError('validation_failed', 'The domain claim is invalid.', {
        errors: [{ path: 'body.connectionId', message: 'must name a connection of this tenant' }],
      });
    await sso.auditor.record(tenant.slug, {
      action: 'sso.domain_claimed',
      actorId: principalOf(res).userId,
      target: input.domain,
      requestId: requestIdOf(req),
    });
    res.status(201).json(outcome.domain satisfies JsonAnswer<typeof domainSchema>);
  });
}
