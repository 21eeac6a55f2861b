import type { Express } from 'express';
import { MigrationRunner } from '@mindbot/db';
import { newId } from '@mindbot/ids';
import { TenantProvisioner } from '@mindbot/provisioning';
import { buildServiceDeps, type ServiceDeps } from '@mindbot/service-runtime';
import { captureLogger, createTestDatabase, testManifest, testRedisUrl, uniqueSlug, type TestDatabase } from '@mindbot/testing';
import { createSsoApp } from '../app.js';
import { buildSsoDeps, type SsoDeps, type SsoDepsOverrides } from '../deps.js';
import { testSsoConfig } from './sso-test-config.js';

export interface TestTenant {
  slug: string;
  host: string;
  origin: string;
}

export interface SsoHarness {
  app: Express;
  sso: SsoDeps;
  deps: ServiceDeps;
  database: TestDatabase;
  /** Every line the service logged. */
  logs: Record<string, unknown>[];
  /** A provisioned tenant served at `<slug>.test`. */
  tenant(base?: string, options?: { suspended?: boolean; parentReseller?: string }): Promise<TestTenant>;
  /** A platform token of a fresh user with these roles in the tenant. */
  tokenFor(tenant: TestTenant, roles: string[]): Promise<string>;
  auditActions(tenant: TestTenant): Promise<{ action: string; data: unknown }[]>;
  userCount(tenant: TestTenant): Promise<number>;
  close(): Promise<void>;
}

/** The real SSO app on a fresh database with the real Redis; tenants provisioned by the real provisioner. */
export interface SsoHarnessOptions {
  env?: Record<string, string>;
  overrides?: SsoDepsOverrides;
  /** Share another harness's database (its platform registry); else a fresh database, disposed on close. */
  database?: TestDatabase;
  /** Behind a proxy (the gateway), trust its X-Forwarded-Host as express does. */
  trustProxy?: boolean | number | string;
}

export async function startSsoHarness(options: SsoHarnessOptions = {}): Promise<SsoHarness> {
  const ownDatabase = !options.database;
  const database = options.database ?? (await createTestDatabase());
  const captured = captureLogger('sso');
  const deps = buildServiceDeps({
    service: 'sso',
    region: 'eu-west',
    logger: captured.logger,
    databaseUrl: database.url,
    redisUrl: testRedisUrl(),
    poolMax: 6,
    ...(options.trustProxy === undefined ? {} : { trustProxy: options.trustProxy }),
  });
  const migrations = await MigrationRunner.load(deps.pool);
  await migrations.migrate({ kind: 'platform', schema: 'platform' });
  const provisioner = new TenantProvisioner({ pool: deps.pool, platform: deps.platform, migrations, region: 'eu-west', actor: 'test' });
  const sso = buildSsoDeps(deps, testSsoConfig(options.env), options.overrides);
  const app = createSsoApp(deps, sso);
  return {
    app,
    sso,
    deps,
    database,
    logs: captured.lines,
    async tenant(base = 'sso', tenantOptions = {}) {
      const slug = uniqueSlug(base);
      const host = `${slug}.test`;
      await provisioner.provision(
        testManifest(slug, {
          domains: [host],
          suspended: tenantOptions.suspended ?? false,
          ...(tenantOptions.parentReseller ? { parentReseller: tenantOptions.parentReseller } : {}),
        }),
      );
      return { slug, host, origin: `http://${host}` };
    },
    async tokenFor(tenant, roles) {
      return deps.tenants.forTenant(tenant.slug).transaction(async (tx) => {
        const userId = newId('user');
        await tx.user.create({ data: { id: userId, email: `${userId}@admins.test` } });
        const found = await tx.role.findMany({ where: { name: { in: roles } } });
        await tx.userRole.createMany({ data: found.map((r) => ({ userId, roleId: r.id })) });
        return (await sso.tokens.startSession(tx, tenant.slug, { userId, method: 'password' })).access_token;
      });
    },
    async auditActions(tenant) {
      return deps.tenants
        .forTenant(tenant.slug)
        .transaction((tx) => tx.auditEvent.findMany({ orderBy: { createdAt: 'asc' }, select: { action: true, data: true } }));
    },
    async userCount(tenant) {
      return deps.tenants
        .forTenant(tenant.slug)
        .transaction((tx) => tx.user.count({ where: { NOT: { email: { endsWith: '@admins.test' } } } }));
    },
    async close() {
      await deps.close();
      if (ownDatabase) await database.dispose();
    },
  };
}
