import type { TenantTransaction } from '@mindbot/db';
import { z } from 'zod';
import {
  oidcSecretsSchema,
  oidcSettingsSchema,
  roleRulesSchema,
  samlSecretsSchema,
  samlSettingsSchema,
  type OidcSecrets,
  type OidcSettings,
  type RoleRule,
  type SamlSecrets,
  type SamlSettings,
} from '@mindbot/sdk/schemas';

interface ConnectionBase {
  id: string;
  name: string;
  status: 'active' | 'disabled';
  roleRules: RoleRule[];
  defaultRoles: string[];
  createdAt: Date;
  updatedAt: Date;
}
export type OidcConnection = ConnectionBase & { kind: 'oidc'; settings: OidcSettings; secrets: OidcSecrets };
export type SamlConnection = ConnectionBase & { kind: 'saml'; settings: SamlSettings; secrets: SamlSecrets };
export type Connection = OidcConnection | SamlConnection;

interface ConnectionRow {
  id: string;
  kind: string;
  name: string;
  status: string;
  settings: unknown;
  secrets: string | null;
  roleRules: unknown;
  defaultRoles: string[];
  createdAt: Date;
  updatedAt: Date;
}

/**
 * Seals and opens a connection's secrets, bound to an associated context (@mindbot/envelope is the
 * one in use); declared here so the repository depends on the shape, not on the domain.
 */
export interface SecretSealer {
  seal(plaintext: string, context: string): string;
  open(sealed: string, context: string): string;
}

/** Associated data of a connection's sealed secrets: they open only for this tenant and connection. */
export function secretsContext(tenant: string, connectionId: string): string {
  return `sso-connection|${tenant}|${connectionId}`;
}

export class ConnectionRepository {
  constructor(private readonly envelope: SecretSealer) {}

  toConnection(tenant: string, row: ConnectionRow): Connection {
    const base: ConnectionBase = {
      id: row.id,
      name: row.name,
      status: row.status === 'disabled' ? 'disabled' : 'active',
      roleRules: roleRulesSchema.parse(row.roleRules),
      defaultRoles: row.defaultRoles,
      createdAt: row.createdAt,
      updatedAt: row.updatedAt,
    };
    const secrets: unknown = row.secrets ? JSON.parse(this.envelope.open(row.secrets, secretsContext(tenant, row.id))) : {};
    if (row.kind === 'oidc')
      return { ...base, kind: 'oidc', settings: oidcSettingsSchema.parse(row.settings), secrets: oidcSecretsSchema.parse(secrets) };
    return { ...base, kind: 'saml', settings: samlSettingsSchema.parse(row.settings), secrets: samlSecretsSchema.parse(secrets) };
  }

  async find(tx: TenantTransaction, tenant: string, id: string): Promise<Connection | undefined> {
    if (!z.string().max(64).safeParse(id).success) return undefined;
    const row = await tx.ssoConnection.findUnique({ where: { id } });
    return row ? this.toConnection(tenant, row) : undefined;
  }

  /** Only the kind of a connection (to pick the sign-in protocol before its secrets are opened). */
  async kindOf(tx: TenantTransaction, id: string): Promise<string | undefined> {
    const row = await tx.ssoConnection.findUnique({ where: { id }, select: { kind: true } });
    return row?.kind;
  }

  async list(tx: TenantTransaction, tenant: string): Promise<Connection[]> {
    const rows = await tx.ssoConnection.findMany({ orderBy: { createdAt: 'asc' } });
    return rows.map((row) => this.toConnection(tenant, row));
  }

  async save(tx: TenantTransaction, tenant: string, connection: Connection, isNew: boolean): Promise<void> {
    const data = {
      kind: connection.kind,
      name: connection.name,
      status: connection.status,
      settings: connection.settings,
      secrets:
        Object.keys(connection.secrets).length > 0
          ? this.envelope.seal(JSON.stringify(connection.secrets), secretsContext(tenant, connection.id))
          : null,
      roleRules: connection.roleRules,
      defaultRoles: connection.defaultRoles,
      updatedAt: new Date(),
    };
    if (isNew) await tx.ssoConnection.create({ data: { id: connection.id, ...data } });
    else await tx.ssoConnection.update({ where: { id: connection.id }, data });
  }

  async delete(tx: TenantTransaction, id: string): Promise<boolean> {
    const { count } = await tx.ssoConnection.deleteMany({ where: { id } });
    return count > 0;
  }
}
