import type { Router } from 'express';
import { AppError } from '@mindbot/errors';
import { connectionSchema, type JsonAnswer } from '@mindbot/sdk/schemas';
import { connectionView } from '../domain/connections.js';
import { tenantAdmin } from '../http/guards.js';
import { tenantOf } from '../http/tenant-context.js';
import type { Sso } from '../sso.js';

/** GET /v1/sso/connections/:id */
export function v1ConnectionsGet(router: Router, sso: Sso): void {
  router.get('/v1/sso/connections/:id', ...tenantAdmin(sso), async (req, res) => {
    const tenant = tenantOf(res);
    const connection = await sso.deps.tenants
      .forTenant(tenant.slug)
      .transaction((tx) => sso.connections.find(tx, tenant.slug, String(req.params.id)));
    if (!connection) throw new AppError('not_found', 'No such connection.');
    res.json(connectionView(connection, tenant.publicOrigin) satisfies JsonAnswer<typeof connectionSchema>);
  });
}
