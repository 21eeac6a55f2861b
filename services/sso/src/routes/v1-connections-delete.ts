import type { Router } from 'express';
import { principalOf } from '@mindbot/auth';
import { AppError } from '@mindbot/errors';
import { requestIdOf, tenantAdmin } from '../http/guards.js';
import { tenantOf } from '../http/tenant-context.js';
import type { Sso } from '../sso.js';

/** DELETE /v1/sso/connections/:id: its identities go with it; its users stay. */
export function v1ConnectionsDelete(router: Router, sso: Sso): void {
  router.delete('/v1/sso/connections/:id', ...tenantAdmin(sso), async (req, res) => {
    const tenant = tenantOf(res);
    const id = String(req.params.id);
    const deleted = await sso.deps.tenants.forTenant(tenant.slug).transaction((tx) => sso.connections.delete(tx, id));
    if (!deleted) throw new AppError('not_found', 'No such connection.');
    await sso.auditor.record(tenant.slug, {
      action: 'sso.connection_deleted',
      actorId: principalOf(res).userId,
      target: id,
      requestId: requestIdOf(req),
    });
    res.status(204).end();
  });
}
