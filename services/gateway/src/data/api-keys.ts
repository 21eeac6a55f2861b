import type { TenantClients } from '@mindbot/db';
import { newId } from '@mindbot/ids';

/** Delivered at commit to every gateway when a key is revoked; the payload is `<tenant>:<secret hash>`. */
export const API_KEY_REVOKED_CHANNEL = 'mindbot_api_key_revoked';

export interface ApiKeyRow {
  id: string;
  name: string;
  environment: string;
  hint: string;
  permissions: string[];
  createdBy: string;
  createdBySession: string | null;
  createdAt: Date;
  lastUsedAt: Date | null;
  expiresAt: Date | null;
  revokedAt: Date | null;
}

export interface NewApiKey {
  name: string;
  environment: string;
  secretHash: string;
  hint: string;
  permissions: string[];
  createdBy: string;
  createdBySession: string;
  expiresAt: Date | null;
}

/** What verifying a key needs to know of it. */
export interface ApiKeySecretRow {
  id: string;
  environment: string;
  permissions: string[];
  revokedAt: Date | null;
  expiresAt: Date | null;
}

/** The API keys of each tenant, in the tenant's own schema, with an audit event for each change. */
export class ApiKeyRecords {
  constructor(private readonly tenants: TenantClients) {}

  create(tenant: string, key: NewApiKey): Promise<ApiKeyRow> {
    return this.tenants.forTenant(tenant).transaction(async (tx) => {
      const created = await tx.apiKey.create({ data: { id: newId('apiKey'), ...key } });
      await tx.auditEvent.create({
        data: {
          id: newId('audit'),
          actorId: key.createdBy,
          action: 'api_key.created',
          target: created.id,
          data: { permissions: created.permissions, environment: created.environment, sessionId: key.createdBySession },
        },
      });
      return created;
    });
  }

  list(tenant: string, limit: number): Promise<ApiKeyRow[]> {
    return this.tenants.forTenant(tenant).transaction((tx) => tx.apiKey.findMany({ orderBy: { createdAt: 'desc' }, take: limit }));
  }

  /**
   * Revokes a key (idempotent) and tells every gateway, this one included, at commit
   * ({@link API_KEY_REVOKED_CHANNEL}); the key's secret hash, or undefined when the tenant has no such key.
   */
  revoke(tenant: string, id: string, actor: string): Promise<string | undefined> {
    return this.tenants.forTenant(tenant).transaction(async (tx) => {
      const row = await tx.apiKey.findUnique({ where: { id } });
      if (!row) return undefined;
      if (!row.revokedAt) {
        await tx.apiKey.update({ where: { id }, data: { revokedAt: new Date() } });
        await tx.auditEvent.create({ data: { id: newId('audit'), actorId: actor, action: 'api_key.revoked', target: id, data: {} } });
      }
      const channel = API_KEY_REVOKED_CHANNEL;
      const payload = `${tenant}:${row.secretHash}`;
      await tx.$executeRaw`SELECT pg_notify(${channel}, ${payload})`;
      return row.secretHash;
    });
  }

  bySecretHash(tenant: string, secretHash: string): Promise<ApiKeySecretRow | null> {
    return this.tenants.forTenant(tenant).transaction((tx) =>
      tx.apiKey.findUnique({
        where: { secretHash },
        select: { id: true, environment: true, permissions: true, revokedAt: true, expiresAt: true },
      }),
    );
  }

  async recordUse(tenant: string, id: string, at: Date): Promise<void> {
    await this.tenants.forTenant(tenant).transaction((tx) => tx.apiKey.update({ where: { id }, data: { lastUsedAt: at } }));
  }
}
