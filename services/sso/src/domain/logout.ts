import type { TenantClients } from '@mindbot/db';
import type { ConnectionRepository } from '../data/connection-repository.js';
import type { EphemeralStore } from '../data/ephemeral-store.js';
import { revokeSamlSessions, samlSignInOf } from '../data/session-repository.js';
import type { Auditor } from './audit.js';
import { spLogoutUrl } from './saml-logout.js';
import type { TokenService } from './token-service.js';

/** Where a request reached the tenant: the origin its SAML endpoints are named under. */
export interface TenantOrigin {
  slug: string;
  publicOrigin: string;
}

/** Ending sessions at a user's request (logout) and at the IdP's (SAML single logout). */
export class Logout {
  constructor(
    private readonly tenants: TenantClients,
    private readonly tokens: TokenService,
    private readonly connections: ConnectionRepository,
    private readonly store: EphemeralStore,
    private readonly clockSkewSeconds: number,
    private readonly auditor: Auditor,
  ) {}

  /**
   * Ends the session (its refresh tokens stop working at once, its access tokens are refused
   * everywhere). A session signed in through an active SAML connection that has an IdP SLO URL and
   * an SP key also gets the URL of a signed LogoutRequest, so the client can end the IdP session too.
   */
  async logout(
    tenant: TenantOrigin,
    caller: { userId: string; sessionId: string },
    requestId: string | undefined,
  ): Promise<{ logoutUrl: string | undefined }> {
    const { sessionId } = caller;
    const session = await this.tenants.forTenant(tenant.slug).transaction((tx) => samlSignInOf(tx, sessionId));
    await this.tokens.revoke(tenant.slug, sessionId, 'logout');
    const logoutUrl =
      session?.connectionId && session.samlNameId
        ? await this.samlLogoutUrl(tenant, session.connectionId, session.samlNameId, session.samlSessionIndex)
        : undefined;
    await this.auditor.record(tenant.slug, {
      action: 'session.logout',
      actorId: caller.userId,
      target: sessionId,
      ...(logoutUrl ? { data: { samlLogoutRequested: true } } : {}),
      requestId,
    });
    return { logoutUrl };
  }

  /** The IdP's signed LogoutRequest: ends the sessions of that NameID (and SessionIndex) on the connection; answers how many. */
  async endSamlSessions(
    tenant: string,
    match: { connectionId: string; nameId: string; sessionIndex: string | undefined },
    requestId: string | undefined,
  ): Promise<number> {
    const ended = await this.tenants.forTenant(tenant).transaction((tx) => revokeSamlSessions(tx, match, 'saml_single_logout'));
    await this.auditor.record(tenant, {
      action: 'sso.single_logout',
      target: match.connectionId,
      data: { sessionsEnded: ended },
      requestId,
    });
    return ended;
  }

  private async samlLogoutUrl(
    tenant: TenantOrigin,
    connectionId: string,
    nameId: string,
    sessionIndex: string | null,
  ): Promise<string | undefined> {
    const connection = await this.tenants.forTenant(tenant.slug).transaction((tx) => this.connections.find(tx, tenant.slug, connectionId));
    if (connection?.kind !== 'saml' || connection.status !== 'active') return undefined;
    return spLogoutUrl(
      { tenant: tenant.slug, origin: tenant.publicOrigin, connection, store: this.store, clockSkewSeconds: this.clockSkewSeconds },
      { nameId, sessionIndex },
    );
  }
}
