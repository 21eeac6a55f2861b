import type { Router } from 'express';
import { principalOf } from '@mindbot/auth';
import { AppError, parseInput } from '@mindbot/errors';
import { connectionUpdateRequestSchema, connectionSchema, type JsonAnswer } from '@mindbot/sdk/schemas';
import { connectionView } from '../domain/connections.js';
import { requestIdOf, tenantAdmin } from '../http/guards.js';
import { tenantOf } from '../http/tenant-context.js';
import type { Sso } from '../sso.js';

/** PATCH /v1/sso/connections/:id: rename, enable/disable, change settings, rotate secrets, change role rules. */
export function v1ConnectionsUpdate(router: Router, sso: Sso): void {
  router.patch('/v1/sso/connections/:id', ...tenantAdmin(sso), async (req, res) => {
    const tenant = tenantOf(res);
    const input = parseInput(connectionUpdateRequestSchema, req.body);
    const outcome = await sso.connectionAdmin.update(tenant.slug, String(req.params.id), input);
    if (!outcome.ok) {
      if ('notFound' in outcome) throw new AppError('not_found', 'No such connection.');
      throw new AppError('validation_failed', 'The connection is invalid.', { errors: outcome.problems });
    }
    await sso.auditor.record(tenant.slug, {
      action: 'sso.connection_updated',
      actorId: principalOf(res).userId,
      target: outcome.connection.id,
      data: { fields: Object.keys(input), status: outcome.connection.status },
      requestId: requestIdOf(req),
    });
    res.json(connectionView(outcome.connection, tenant.publicOrigin) satisfies JsonAnswer<typeof connectionSchema>);
  });
}
