import type { TenantClients } from '@mindbot/db';

/** What a sign-in button needs of an SSO connection: never its settings or secrets. */
export interface SsoConnectionSummary {
  id: string;
  name: string;
  kind: 'oidc' | 'saml';
}

/**
 * The tenant's enabled SSO connections (SSO owns the table; the gateway only reads it, as the
 * tenant's role), oldest first. Only id, name and kind are selected, so nothing else can leak.
 */
export async function enabledSsoConnections(tenants: TenantClients, tenant: string): Promise<SsoConnectionSummary[]> {
  const rows = await tenants.forTenant(tenant).transaction((tx) =>
    tx.ssoConnection.findMany({
      where: { status: 'active' },
      select: { id: true, name: true, kind: true },
      orderBy: [{ createdAt: 'asc' }, { id: 'asc' }],
    }),
  );
  return rows.flatMap(({ id, name, kind }) => (kind === 'oidc' || kind === 'saml' ? [{ id, name, kind }] : []));
}
