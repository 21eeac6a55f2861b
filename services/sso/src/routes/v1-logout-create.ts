import type { Router } from 'express';
import { principalOf } from '@mindbot/auth';
import { logoutResponseSchema, type JsonAnswer } from '@mindbot/sdk/schemas';
import { spLogoutUrl } from '../domain/saml-logout.js';
import { requestIdOf, signedIn } from '../http/guards.js';
import { tenantOf, type TenantContext } from '../http/tenant-context.js';
import type { Sso } from '../sso.js';

/**
 * POST /v1/auth/logout: ends the caller's session (its refresh tokens stop working at once). A
 * session signed in through a SAML connection that has an IdP SLO URL and an SP key is answered
 * with the URL of a signed LogoutRequest, so the client can end the IdP session too.
 */
export function v1LogoutCreate(router: Router, sso: Sso): void {
  router.post('/v1/auth/logout', signedIn(sso), async (req, res) => {
    const tenant = tenantOf(res);
    const principal = principalOf(res);
    const session = await sso.deps.tenants
      .forTenant(tenant.slug)
      .transaction((tx) =>
        tx.authSession.findUnique({
          where: { id: principal.sessionId },
          select: { connectionId: true, samlNameId: true, samlSessionIndex: true },
        }),
      );
    await sso.tokens.revoke(tenant.slug, principal.sessionId, 'logout');
    const logoutUrl =
      session?.connectionId && session.samlNameId
        ? await samlLogoutUrl(sso, tenant, session.connectionId, session.samlNameId, session.samlSessionIndex)
        : undefined;
    await sso.auditor.record(tenant.slug, {
      action: 'session.logout',
      actorId: principal.userId,
      target: principal.sessionId,
      ...(logoutUrl ? { data: { samlLogoutRequested: true } } : {}),
      requestId: requestIdOf(req),
    });
    if (!logoutUrl) {
      res.status(204).end();
      return;
    }
    res.set('Cache-Control', 'no-store').json({ logoutUrl } satisfies JsonAnswer<typeof logoutResponseSchema>);
  });
}

async function samlLogoutUrl(
  sso: Sso,
  tenant: TenantContext,
  connectionId: string,
  nameId: string,
  sessionIndex: string | null,
): Promise<string | undefined> {
  const connection = await sso.deps.tenants.forTenant(tenant.slug).transaction((tx) => sso.connections.find(tx, tenant.slug, connectionId));
  if (connection?.kind !== 'saml' || connection.status !== 'active') return undefined;
  return spLogoutUrl(
    { tenant: tenant.slug, origin: tenant.publicOrigin, connection, store: sso.store, clockSkewSeconds: sso.config.SSO_CLOCK_SKEW_SECONDS },
    { nameId, sessionIndex },
  );
}
