import type pg from 'pg';
import { dropTenantSchema, type MigrationRunner, type PlatformClient } from '@mindbot/db';
import { newId } from '@mindbot/ids';
import { roleNameOf, schemaNameOf, specHash, type TenantManifest } from '@mindbot/tenancy';
import { registryRowOf } from './registry-row.js';
import { buildTenantSchema } from './tenant-schema-builder.js';

export interface ProvisionerDeps {
  pool: pg.Pool;
  platform: PlatformClient;
  migrations: MigrationRunner;
  /** This database's region: tenants of other regions are registered here but their data lives elsewhere. */
  region: string;
  /** Who is acting, for the audit log (`cli`, `operator`, `dev-start`). */
  actor: string;
}

export interface ProvisionOutcome {
  slug: string;
  region: string;
  home: boolean;
  /** `created`, `updated`, or `unchanged` (nothing was written). */
  action: 'created' | 'updated' | 'unchanged';
  migrationsApplied: string[];
}

export interface DatabaseOutcome {
  home: boolean;
  /** The tenant's schema, or null when its data lives in another region. */
  schema: string | null;
  migrationsApplied: string[];
}

/** A registry row as `checkConflicts` reads it. */
export interface ExistingTenant {
  id: string;
  region: string;
  specHash: string;
  status: string;
  home: boolean;
  domains: { domain: string }[];
}

export type ProvisioningErrorCode = 'region_conflict' | 'domain_conflict' | 'unknown_tenant' | 'unknown_parent';

/** A refusal: nothing was changed. */
export class ProvisioningError extends Error {
  constructor(
    readonly code: ProvisioningErrorCode,
    message: string,
  ) {
    super(message);
    this.name = 'ProvisioningError';
  }
}

/**
 * Turns a Tenant manifest into a provisioned tenant: registry row, domains, and (in the tenant's
 * home region) its schema, role and migrations. The one code path behind the CLI and the operator.
 * Every step is idempotent, so a run that was interrupted is finished by the next one.
 */
export class TenantProvisioner {
  constructor(private readonly deps: ProvisionerDeps) {}

  async provision(manifest: TenantManifest): Promise<ProvisionOutcome> {
    const existing = await this.checkConflicts(manifest);
    const database = await this.ensureDatabase(manifest);
    const registry = await this.ensureRegistry(manifest, existing);
    const action = registry === 'unchanged' && database.migrationsApplied.length > 0 ? 'updated' : registry;
    return {
      slug: manifest.metadata.name,
      region: manifest.spec.region,
      home: database.home,
      action,
      migrationsApplied: database.migrationsApplied,
    };
  }

  /**
   * Refuses what cannot be provisioned (region change, another tenant's domain, unknown parent)
   * before anything is written; returns the tenant's current registry row, if any.
   */
  async checkConflicts(manifest: TenantManifest): Promise<ExistingTenant | null> {
    // One round trip (row and domains together): this runs on every reconcile of every tenant.
    const { rows } = await this.deps.pool.query<ExistingTenant>(
      `SELECT t.id, t.region, t.spec_hash AS "specHash", t.status, t.home,
              COALESCE(json_agg(json_build_object('domain', d.domain) ORDER BY d.domain) FILTER (WHERE d.domain IS NOT NULL), '[]') AS domains
         FROM platform.tenants t LEFT JOIN platform.tenant_domains d ON d.tenant_id = t.id
        WHERE t.slug = $1
        GROUP BY t.id`,
      [manifest.metadata.name],
    );
    const existing = rows[0] ?? null;
    await this.refuseConflicts(manifest, existing);
    return existing;
  }

  /**
   * In the tenant's home region: its role and schema, with every migration applied. Costs two
   * reads when all of that is already in place, so it can run on every reconcile; what is missing
   * is built in one transaction (see buildTenantSchema). Applied migrations that no longer match
   * their files stop it before anything is written (MigrationDriftError).
   */
  async ensureDatabase(manifest: TenantManifest): Promise<DatabaseOutcome> {
    const slug = manifest.metadata.name;
    const home = manifest.spec.region === this.deps.region;
    const schema = schemaNameOf(slug);
    if (!home) return { home, schema: null, migrationsApplied: [] };
    const target = { kind: 'tenant', schema, role: roleNameOf(slug) } as const;
    const [owner, plan] = await Promise.all([
      this.deps.pool.query<{ owner: string }>(
        'SELECT r.rolname AS owner FROM pg_namespace n JOIN pg_roles r ON r.oid = n.nspowner WHERE n.nspname = $1',
        [schema],
      ),
      this.deps.migrations.plan([target]),
    ]);
    if (owner.rows[0]?.owner === target.role && (plan.get(schema) ?? []).length === 0) {
      return { home, schema, migrationsApplied: [] };
    }
    const { applied } = await buildTenantSchema(this.deps.pool, target, this.deps.migrations.tenantMigrations);
    return { home, schema, migrationsApplied: applied };
  }

  /** The tenant's registry row and domains, written only when they differ from the manifest. */
  async ensureRegistry(manifest: TenantManifest, existing: ExistingTenant | null): Promise<ProvisionOutcome['action']> {
    const slug = manifest.metadata.name;
    const home = manifest.spec.region === this.deps.region;
    const row = registryRowOf(manifest, home);
    const sameDomains =
      existing !== null &&
      existing.domains.length === manifest.spec.domains.length &&
      existing.domains.every((d) => manifest.spec.domains.includes(d.domain));
    if (
      existing &&
      existing.specHash === specHash(manifest.spec) &&
      existing.status === row.status &&
      existing.home === home &&
      sameDomains
    ) {
      return 'unchanged';
    }

    const action = existing ? 'updated' : 'created';
    const { platform } = this.deps;
    const tenantId = existing?.id ?? newId('tenant');
    // One batch transaction (no interactive round trips back to this process between its statements).
    await platform.$transaction([
      existing
        ? platform.tenant.update({ where: { id: tenantId }, data: { ...row, updatedAt: new Date() } })
        : platform.tenant.create({ data: { id: tenantId, ...row } }),
      platform.tenantDomain.deleteMany({ where: { tenantId, domain: { notIn: manifest.spec.domains } } }),
      platform.tenantDomain.createMany({
        data: manifest.spec.domains.map((domain) => ({ domain, tenantId })),
        skipDuplicates: true,
      }),
      platform.platformAuditEvent.create({
        data: {
          id: newId('audit'),
          tenantSlug: slug,
          actor: this.deps.actor,
          action: `tenant.${action}`,
          data: { region: row.region, home, specHash: row.specHash },
        },
      }),
    ]);
    return action;
  }

  /** Removes the tenant from the registry; its schema is dropped only when asked, else kept for restore. */
  async deprovision(slug: string, options: { dropData: boolean }): Promise<{ schemaDropped: boolean; roleDropped: boolean }> {
    const existing = await this.deps.platform.tenant.findUnique({ where: { slug } });
    if (!existing) throw new ProvisioningError('unknown_tenant', `No tenant "${slug}" is registered in this database.`);
    await this.deps.platform.tenant.update({ where: { id: existing.id }, data: { status: 'deprovisioning', updatedAt: new Date() } });
    let roleDropped = false;
    const dropsSchema = options.dropData && existing.home;
    if (dropsSchema) ({ roleDropped } = await dropTenantSchema(this.deps.pool, slug));
    await this.deps.platform.$transaction([
      this.deps.platform.tenant.delete({ where: { id: existing.id } }),
      this.deps.platform.platformAuditEvent.create({
        data: {
          id: newId('audit'),
          tenantSlug: slug,
          actor: this.deps.actor,
          action: 'tenant.deprovisioned',
          data: { schemaDropped: dropsSchema, schema: existing.schemaName },
        },
      }),
    ]);
    return { schemaDropped: dropsSchema, roleDropped };
  }

  private async refuseConflicts(
    manifest: TenantManifest,
    existing: Pick<ExistingTenant, 'id' | 'region' | 'domains'> | null,
  ): Promise<void> {
    const slug = manifest.metadata.name;
    const existingId = existing?.id;
    if (existing && existing.region !== manifest.spec.region) {
      throw new ProvisioningError(
        'region_conflict',
        `Tenant "${slug}" already exists in region ${existing.region}; a tenant's region cannot change (asked for ${manifest.spec.region}).`,
      );
    }
    // Domains the tenant already holds are its own (a domain is the registry's key): only new ones are looked up.
    const held = new Set((existing?.domains ?? []).map((d) => d.domain));
    if (manifest.spec.domains.some((domain) => !held.has(domain))) {
      const taken = await this.deps.platform.tenantDomain.findMany({
        where: { domain: { in: manifest.spec.domains }, ...(existingId ? { tenantId: { not: existingId } } : {}) },
        include: { tenant: { select: { slug: true } } },
      });
      if (taken.length > 0) {
        throw new ProvisioningError(
          'domain_conflict',
          `Domain ${taken.map((d) => `${d.domain} (used by tenant "${d.tenant.slug}")`).join(', ')} already belongs to another tenant.`,
        );
      }
    }
    const parent = manifest.spec.parentReseller;
    if (parent !== undefined && parent !== slug) {
      const found = await this.deps.platform.tenant.findUnique({ where: { slug: parent }, select: { id: true } });
      if (!found)
        throw new ProvisioningError(
          'unknown_parent',
          `Parent reseller "${parent}" of tenant "${slug}" is not registered; provision it first.`,
        );
    }
  }
}
