import type { Router } from 'express';
import { domainListSchema, type JsonAnswer } from '@mindbot/sdk/schemas';
import { tenantAdmin } from '../http/guards.js';
import { tenantOf } from '../http/tenant-context.js';
import type { Sso } from '../sso.js';

/** GET /v1/sso/domains */
export function v1DomainsList(router: Router, sso: Sso): void {
  router.get('/v1/sso/domains', ...tenantAdmin(sso), async (_req, res) => {
    res.json({ data: await sso.domains.list(tenantOf(res).slug) } satisfies JsonAnswer<typeof domainListSchema>);
  });
}
