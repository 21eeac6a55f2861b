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
 * Every GET /v1/branding asks, so it takes the light read path (one read-only transaction as the
 * tenant's role, without Prisma's interactive transaction).
 */
export async function enabledSsoConnections(tenants: TenantClients, tenant: string): Promise<SsoConnectionSummary[]> {
  const rows = await tenants
    .forTenant(tenant)
    .read(
      (sql) =>
        sql<{
          id: string;
          name: string;
          kind: string;
        }>`SELECT id, name, kind FROM sso_connections WHERE status = 'active' ORDER BY created_at, id`,
    );
  return rows.flatMap(({ id, name, kind }) => (kind === 'oidc' || kind === 'saml' ? [{ id, name, kind }] : []));
}
