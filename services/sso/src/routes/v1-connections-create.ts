import type { Router } from 'express';
import { AppError, parseInput } from '@mindbot/errors';
import { connectionCreateRequestSchema, connectionSchema, type JsonAnswer } from '@mindbot/sdk/schemas';
import { connectionView } from '../domain/connections.js';
import { requestIdOf, tenantAdmin } from '../http/guards.js';
import { tenantOf } from '../http/tenant-context.js';
import { principalOf } from '@mindbot/auth';
import type { Sso } from '../sso.js';

/** POST /v1/sso/connections: a new SAML or OIDC connection (SAML from settings or the IdP's metadata). */
export function v1ConnectionsCreate(router: Router, sso: Sso): void {
  router.post('/v1/sso/connections', ...tenantAdmin(sso), async (req, res) => {
    const tenant = tenantOf(res);
    const input = parseInput(connectionCreateRequestSchema, req.body);
    const outcome = await sso.connectionAdmin.create(tenant.slug, input);
    if (!outcome.ok)
      throw new AppError('validation_failed', 'The connection is invalid.', { errors: 'problems' in outcome ? outcome.problems : [] });
    await sso.auditor.record(tenant.slug, {
      action: 'sso.connection_created',
      actorId: principalOf(res).userId,
      target: outcome.connection.id,
      data: { kind: outcome.connection.kind },
      requestId: requestIdOf(req),
    });
    res
      .status(201)
      .location(`/v1/sso/connections/${outcome.connection.id}`)
      .json(connectionView(outcome.connection, tenant.publicOrigin) satisfies JsonAnswer<typeof connectionSchema>);
  });
}
