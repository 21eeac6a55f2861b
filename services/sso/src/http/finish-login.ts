import type { Request } from 'express';
import type { Connection } from '../data/connection-repository.js';
import { provisionIdentity, type AssertedIdentity } from '../domain/provisioning.js';
import type { TokenResponse } from '../domain/token-service.js';
import type { Sso } from '../sso.js';
import { requestIdOf } from './guards.js';
import { refuseLogin } from './refuse-login.js';
import type { TenantContext } from './tenant-context.js';

/** After an IdP's answer was verified: provision the user and start a session in one transaction. */
export async function finishIdpLogin(
  sso: Sso,
  req: Request,
  tenant: TenantContext,
  connection: Connection,
  identity: AssertedIdentity,
  saml?: { nameId: string; sessionIndex: string | undefined },
): Promise<TokenResponse> {
  const outcome = await sso.deps.tenants.forTenant(tenant.slug).transaction(async (tx) => {
    const provisioned = await provisionIdentity(tx, connection, identity, { jitProvisioning: tenant.jitProvisioning });
    if (!provisioned.ok) return provisioned;
    const tokens = await sso.tokens.startSession(tx, tenant.slug, {
      userId: provisioned.userId,
      method: connection.kind,
      connectionId: connection.id,
      samlNameId: saml?.nameId,
      samlSessionIndex: saml?.sessionIndex,
    });
    return { ...provisioned, tokens };
  });
  if (!outcome.ok) return refuseLogin(sso.auditor, req, tenant.slug, { reason: outcome.reason, connectionId: connection.id, status: 'forbidden' });
  await sso.auditor.record(tenant.slug, {
    action: 'sso.login_succeeded',
    actorId: outcome.userId,
    target: connection.id,
    data: { method: connection.kind, created: outcome.created, roles: outcome.roles, session: outcome.tokens.session_id },
    requestId: requestIdOf(req),
  });
  return outcome.tokens;
}
