import type { TenantClients } from '@mindbot/db';
import { fail, ok, type Result } from '@mindbot/errors';
import { newId } from '@mindbot/ids';
import type { Connection, ConnectionRepository } from '../data/connection-repository.js';
import type { Attribution, Auditor } from './audit.js';
import {
  oidcSecretsSchema,
  oidcSettingsSchema,
  samlSecretsSchema,
  samlSettingsSchema,
  type connectionCreateRequestSchema,
  type connectionUpdateRequestSchema,
} from '@mindbot/sdk/schemas';
import type { z } from 'zod';
import { oidcRedirectUri } from './oidc-login.js';
import { fetchIdpMetadata, parseIdpMetadata } from './saml-metadata.js';
import { samlEndpoints } from './saml-login.js';

export type ConnectionProblem = { path: string; message: string };

/** Settings or secrets a connection cannot have: a failure of the Result shape that carries each field at fault. */
export interface InvalidConnection {
  ok: false;
  failure: 'invalid';
  problems: ConnectionProblem[];
}

const invalid = (problems: ConnectionProblem[]): InvalidConnection => ({ ok: false, failure: 'invalid', problems });

export type ConnectionOutcome<F extends string = never> = Result<Connection, F> | InvalidConnection;

function problemsOf(error: z.ZodError, prefix: string): ConnectionProblem[] {
  return error.issues.map((i) => ({ path: [prefix, ...i.path.map(String)].join('.'), message: i.message }));
}

/** The API's view of a connection: settings and the SP's URLs, never its secrets. */
export function connectionView(connection: Connection, origin: string) {
  const secretNames = Object.entries(connection.secrets)
    .filter(([, v]) => typeof v === 'string')
    .map(([k]) => k);
  const common = {
    id: connection.id,
    name: connection.name,
    status: connection.status,
    secretsSet: secretNames,
    roleRules: connection.roleRules,
    defaultRoles: connection.defaultRoles,
    createdAt: connection.createdAt.toISOString(),
    updatedAt: connection.updatedAt.toISOString(),
  };
  return connection.kind === 'oidc'
    ? { ...common, kind: connection.kind, settings: connection.settings, oidc: { redirectUri: oidcRedirectUri(origin, connection.id) } }
    : { ...common, kind: connection.kind, settings: connection.settings, saml: samlEndpoints(origin, connection.id) };
}

/** Managing a tenant's IdP connections; expected failures are values, not exceptions. */
export class ConnectionAdmin {
  constructor(
    private readonly tenants: TenantClients,
    private readonly repository: ConnectionRepository,
    private readonly auditor: Auditor,
    private readonly options: { allowInsecureUrls: boolean; maxXmlBytes: number },
  ) {}

  async create(tenant: string, input: z.output<typeof connectionCreateRequestSchema>, by: Attribution): Promise<ConnectionOutcome> {
    const now = new Date();
    const base = {
      id: newId('connection'),
      name: input.name,
      status: input.status,
      roleRules: input.roleRules,
      defaultRoles: input.defaultRoles,
      createdAt: now,
      updatedAt: now,
    };
    let connection: Connection;
    if (input.kind === 'oidc') {
      connection = { ...base, kind: 'oidc', settings: input.settings, secrets: input.secrets };
    } else {
      let fromMetadata = {};
      if (input.metadataXml !== undefined || input.metadataUrl !== undefined) {
        const outcome =
          input.metadataXml !== undefined
            ? parseIdpMetadata(input.metadataXml, this.options.maxXmlBytes)
            : await fetchIdpMetadata(input.metadataUrl ?? '', {
                allowInsecure: this.options.allowInsecureUrls,
                maxBytes: this.options.maxXmlBytes,
              });
        if (!outcome.ok)
          return invalid([
            {
              path: input.metadataXml !== undefined ? 'body.metadataXml' : 'body.metadataUrl',
              message: outcome.detail ?? 'metadata is unusable',
            },
          ]);
        fromMetadata = outcome.value;
      }
      const settings = samlSettingsSchema.safeParse({ ...fromMetadata, ...input.settings });
      if (!settings.success) return invalid(problemsOf(settings.error, 'body.settings'));
      connection = { ...base, kind: 'saml', settings: settings.data, secrets: input.secrets };
    }
    const insecure = this.insecureUrlProblem(connection);
    if (insecure) return invalid([insecure]);
    await this.tenants.forTenant(tenant).transaction((tx) => this.repository.save(tx, tenant, connection, true));
    await this.auditor.record(tenant, { action: 'sso.connection_created', ...by, target: connection.id, data: { kind: connection.kind } });
    return ok(connection);
  }

  async update(
    tenant: string,
    id: string,
    input: z.output<typeof connectionUpdateRequestSchema>,
    by: Attribution,
  ): Promise<ConnectionOutcome<'not_found'>> {
    const outcome = await this.tenants.forTenant(tenant).transaction(async (tx): Promise<ConnectionOutcome<'not_found'>> => {
      const existing = await this.repository.find(tx, tenant, id);
      if (!existing) return fail('not_found');
      const base = {
        ...existing,
        name: input.name ?? existing.name,
        status: input.status ?? existing.status,
        roleRules: input.roleRules ?? existing.roleRules,
        defaultRoles: input.defaultRoles ?? existing.defaultRoles,
        updatedAt: new Date(),
      };
      let next: Connection;
      if (existing.kind === 'oidc') {
        const settings = oidcSettingsSchema.safeParse({ ...existing.settings, ...input.settings });
        if (!settings.success) return invalid(problemsOf(settings.error, 'body.settings'));
        const secrets = oidcSecretsSchema.safeParse({ ...existing.secrets, ...input.secrets });
        if (!secrets.success) return invalid(problemsOf(secrets.error, 'body.secrets'));
        next = { ...base, kind: 'oidc', settings: settings.data, secrets: secrets.data };
      } else {
        const settings = samlSettingsSchema.safeParse({ ...existing.settings, ...input.settings });
        if (!settings.success) return invalid(problemsOf(settings.error, 'body.settings'));
        const secrets = samlSecretsSchema.safeParse({ ...existing.secrets, ...input.secrets });
        if (!secrets.success) return invalid(problemsOf(secrets.error, 'body.secrets'));
        next = { ...base, kind: 'saml', settings: settings.data, secrets: secrets.data };
      }
      const insecure = this.insecureUrlProblem(next);
      if (insecure) return invalid([insecure]);
      await this.repository.save(tx, tenant, next, false);
      return ok(next);
    });
    if (outcome.ok)
      await this.auditor.record(tenant, {
        action: 'sso.connection_updated',
        ...by,
        target: outcome.value.id,
        data: { fields: Object.keys(input), status: outcome.value.status },
      });
    return outcome;
  }

  async find(tenant: string, id: string): Promise<Connection | undefined> {
    return this.tenants.forTenant(tenant).transaction((tx) => this.repository.find(tx, tenant, id));
  }

  async list(tenant: string): Promise<Connection[]> {
    return this.tenants.forTenant(tenant).transaction((tx) => this.repository.list(tx, tenant));
  }

  /** Only the kind of a connection (the sign-in protocol), without opening its secrets. */
  async kindOf(tenant: string, id: string): Promise<string | undefined> {
    return this.tenants.forTenant(tenant).transaction((tx) => this.repository.kindOf(tx, id));
  }

  /** Its identities go with it; its users stay. */
  async delete(tenant: string, id: string, by: Attribution): Promise<Result<void, 'not_found'>> {
    const deleted = await this.tenants.forTenant(tenant).transaction((tx) => this.repository.delete(tx, id));
    if (!deleted) return fail('not_found');
    await this.auditor.record(tenant, { action: 'sso.connection_deleted', ...by, target: id });
    return ok(undefined);
  }

  private insecureUrlProblem(connection: Connection): ConnectionProblem | undefined {
    if (this.options.allowInsecureUrls) return undefined;
    const urls =
      connection.kind === 'oidc'
        ? { issuer: connection.settings.issuer }
        : { idpSsoUrl: connection.settings.idpSsoUrl, idpSloUrl: connection.settings.idpSloUrl };
    for (const [name, url] of Object.entries(urls)) {
      if (url !== undefined && !url.startsWith('https://')) return { path: `body.settings.${name}`, message: 'must be an https URL' };
    }
    return undefined;
  }
}
