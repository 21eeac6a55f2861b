import type { TenantClients } from '@mindbot/db';

/** What a sign-in button needs of an SSO connection: never its settings or secrets. */
export interface SsoConnectionSummary {
  id: string;
  name: string;
  kind: 'oidc' | 'saml';
}

/**
 * How long a tenant's list is answered from this process's memory. The SSO service sends no change
 * notification for its connections, so a connection turned on or off reaches the sign-in buttons
 * within this time (the answer is publicly cacheable for 5 s anyway, ADR 0055).
 */
export const SSO_CONNECTIONS_TTL_MS = 1_000;

/**
 * The tenant's enabled SSO connections (SSO owns the table; the gateway only reads it, as the
 * tenant's role), oldest first. Only id, name and kind are selected, so nothing else can leak.
 * Every GET /v1/branding asks, so it takes the light read path: one read-only transaction as the
 * tenant's role, in one round trip, without Prisma's interactive transaction. The same list (the
 * same array, which callers must not change) is answered for {@link SSO_CONNECTIONS_TTL_MS}, so
 * under load the tenant's schema is asked about once a second per process, not once per request.
 */
export function enabledSsoConnections(tenants: TenantClients, tenant: string, now = Date.now()): Promise<readonly SsoConnectionSummary[]> {
  let state = states.get(tenants);
  if (!state) states.set(tenants, (state = { inFlight: new Map(), recent: new Map() }));
  const recent = state.recent.get(tenant);
  if (recent && now - recent.at < SSO_CONNECTIONS_TTL_MS) return recent.answer;
  // Requests for one tenant that arrive while its read is on the way share that read.
  const pending = state.inFlight.get(tenant);
  if (pending) return pending;
  const { inFlight, recent: answers } = state;
  const read = readEnabled(tenants, tenant).finally(() => inFlight.delete(tenant));
  inFlight.set(tenant, read);
  // Only an answer is remembered: a failed read is tried again by the next request.
  read.then(
    (value) => {
      // Anyone can name a host, but only provisioned tenants get here: still, keep it bounded.
      if (answers.size >= 20_000) answers.clear();
      answers.set(tenant, { answer: read, value, at: now });
    },
    () => undefined,
  );
  return read;
}

/** What {@link enabledSsoConnections} would answer from memory right now; undefined when it would read. */
export function knownSsoConnections(tenants: TenantClients, tenant: string, now = Date.now()): readonly SsoConnectionSummary[] | undefined {
  const recent = states.get(tenants)?.recent.get(tenant);
  return recent && now - recent.at < SSO_CONNECTIONS_TTL_MS ? recent.value : undefined;
}

interface SsoConnectionsState {
  inFlight: Map<string, Promise<readonly SsoConnectionSummary[]>>;
  recent: Map<string, { answer: Promise<readonly SsoConnectionSummary[]>; value: readonly SsoConnectionSummary[]; at: number }>;
}

const states = new WeakMap<TenantClients, SsoConnectionsState>();

async function readEnabled(tenants: TenantClients, tenant: string): Promise<readonly SsoConnectionSummary[]> {
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
