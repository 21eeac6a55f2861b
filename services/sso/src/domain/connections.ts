import type { TenantClients } from '@mindbot/db';
import { newId } from '@mindbot/ids';
import type { Connection, ConnectionRepository } from '../data/connection-repository.js';
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
export type ConnectionOutcome =
  { ok: true; connection: Connection } | { ok: false; problems: ConnectionProblem[] } | { ok: false; notFound: true };

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
    private readonly options: { allowInsecureUrls: boolean; maxXmlBytes: number },
  ) {}

  async create(tenant: string, input: z.output<typeof connectionCreateRequestSchema>): Promise<ConnectionOutcome> {
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
          return {
            ok: false,
            problems: [{ path: input.metadataXml !== undefined ? 'body.metadataXml' : 'body.metadataUrl', message: outcome.problem }],
          };
        fromMetadata = outcome.metadata;
      }
      const settings = samlSettingsSchema.safeParse({ ...fromMetadata, ...input.settings });
      if (!settings.success) return { ok: false, problems: problemsOf(settings.error, 'body.settings') };
      connection = { ...base, kind: 'saml', settings: settings.data, secrets: input.secrets };
    }
    const insecure = this.insecureUrlProblem(connection);
    if (insecure) return { ok: false, problems: [insecure] };
    await this.tenants.forTenant(tenant).transaction((tx) => this.repository.save(tx, tenant, connection, true));
    return { ok: true, connection };
  }

  async update(tenant: string, id: string, input: z.output<typeof connectionUpdateRequestSchema>): Promise<ConnectionOutcome> {
    return this.tenants.forTenant(tenant).transaction(async (tx): Promise<ConnectionOutcome> => {
      const existing = await this.repository.find(tx, tenant, id);
      if (!existing) return { ok: false, notFound: true };
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
        if (!settings.success) return { ok: false, problems: problemsOf(settings.error, 'body.settings') };
        const secrets = oidcSecretsSchema.safeParse({ ...existing.secrets, ...input.secrets });
        if (!secrets.success) return { ok: false, problems: problemsOf(secrets.error, 'body.secrets') };
        next = { ...base, kind: 'oidc', settings: settings.data, secrets: secrets.data };
      } else {
        const settings = samlSettingsSchema.safeParse({ ...existing.settings, ...input.settings });
        if (!settings.success) return { ok: false, problems: problemsOf(settings.error, 'body.settings') };
        const secrets = samlSecretsSchema.safeParse({ ...existing.secrets, ...input.secrets });
        if (!secrets.success) return { ok: false, problems: problemsOf(secrets.error, 'body.secrets') };
        next = { ...base, kind: 'saml', settings: settings.data, secrets: secrets.data };
      }
      const insecure = this.insecureUrlProblem(next);
      if (insecure) return { ok: false, problems: [insecure] };
      await this.repository.save(tx, tenant, next, false);
      return { ok: true, connection: next };
    });
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
