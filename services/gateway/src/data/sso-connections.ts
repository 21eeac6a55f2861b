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
 * Every GET /v1/branding asks, so it takes the light read path: one read-only transaction as the
 * tenant's role, in one round trip, without Prisma's interactive transaction.
 */
export function enabledSsoConnections(tenants: TenantClients, tenant: string): Promise<SsoConnectionSummary[]> {
  // Requests for one tenant that arrive while its read is on the way share that read (its answer
  // is at most one read old, ~1 ms): under load this tenant's schema is asked once per round trip,
  // not once per request, and a change is seen by the next read as before.
  let reads = inFlight.get(tenants);
  if (!reads) inFlight.set(tenants, (reads = new Map<string, Promise<SsoConnectionSummary[]>>()));
  const pending = reads.get(tenant);
  if (pending) return pending;
  const read = readEnabled(tenants, tenant).finally(() => reads.delete(tenant));
  reads.set(tenant, read);
  return read;
}

const inFlight = new WeakMap<TenantClients, Map<string, Promise<SsoConnectionSummary[]>>>();

async function readEnabled(tenants: TenantClients, tenant: string): Promise<SsoConnectionSummary[]> {
  const rows = await tenants.forTenant(tenant).read(
    (sql) =>
      sql<{
        id: string;
        name: string;
        kind: string;
      }>`SELECT id, name, kind FROM sso_connections WHERE status = 'active' ORDER BY created_at, id`,
  );
  return rows.flatMap(({ id, name, kind }) => (kind === 'oidc' || kind === 'saml' ? [{ id, name, kind }] : []));
}
