import type { Router } from 'express';
import { connectionListSchema, type JsonAnswer } from '@mindbot/sdk/schemas';
import { connectionView } from '../domain/connections.js';
import { tenantAdmin } from '../http/guards.js';
import { tenantOf } from '../http/tenant-context.js';
import type { Sso } from '../sso.js';

/** GET /v1/sso/connections */
export function v1ConnectionsList(router: Router, sso: Sso): void {
  router.get('/v1/sso/connections', ...tenantAdmin(sso), async (_req, res) => {
    const tenant = tenantOf(res);
    const connections = await sso.deps.tenants.forTenant(tenant.slug).transaction((tx) => sso.connections.list(tx, tenant.slug));
    res.json({ connections: connections.map((c) => connectionView(c, tenant.publicOrigin)) } satisfies JsonAnswer<
      typeof connectionListSchema
    >);
  });
}
