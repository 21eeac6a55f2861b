import { createPlatformClient, createPool, MigrationRunner, TenantClients, type PlatformClient } from '@mindbot/db';
import { TenantProvisioner } from '@mindbot/provisioning';
import { createTestDatabase, testManifest, uniqueSlug, type TestDatabase } from '@mindbot/testing';

/** The audit tests' database: the platform schema migrated, and tenants provisioned by the real provisioner. */
export interface AuditWorld {
  database: TestDatabase;
  platform: PlatformClient;
  tenants: TenantClients;
  /** A freshly provisioned tenant's slug. */
  newTenant(): Promise<string>;
  close(): Promise<void>;
}

export async function startAuditWorld(name: string, slugBase: string): Promise<AuditWorld> {
  const database = await createTestDatabase();
  const pool = createPool(database.url, { max: 8, applicationName: name });
  const platform = createPlatformClient(pool);
  const migrations = await MigrationRunner.load(pool);
  await migrations.migrate({ kind: 'platform', schema: 'platform' });
  const provisioner = new TenantProvisioner({ pool, platform, migrations, region: 'eu-west', actor: 'test' });
  return {
    database,
    platform,
    tenants: new TenantClients(pool),
    async newTenant() {
      const slug = uniqueSlug(slugBase);
      await provisioner.provision(testManifest(slug));
      return slug;
    },
    async close() {
      await platform.$disconnect();
      await pool.end();
      await database.dispose();
    },
  };
}
