import { createPlatformClient, createPool, MigrationRunner, type PlatformClient, type Pool } from '@mindbot/db';
import { schemaNameOf } from '@mindbot/tenancy';
import { createTestDatabase, testManifest, uniqueSlug, type TestDatabase } from '@mindbot/testing';
import { ProvisioningError, TenantProvisioner } from './tenant-provisioner.js';

describe('TenantProvisioner', () => {
  let database: TestDatabase;
  let pool: Pool;
  let platform: PlatformClient;
  let provisioner: TenantProvisioner;
  let migrations: MigrationRunner;

  beforeAll(async () => {
    database = await createTestDatabase();
    pool = createPool(database.url, { max: 4 });
    migrations = await MigrationRunner.load(pool);
    await migrations.migrate({ kind: 'platform', schema: 'platform' });
    platform = createPlatformClient(pool);
    provisioner = new TenantProvisioner({ pool, platform, migrations, region: 'eu-west', actor: 'test' });
  });

  afterAll(async () => {
    await platform.$disconnect();
    await pool.end();
    await database.dispose();
  });

  const schemaExists = async (slug: string) =>
    (await pool.query('SELECT 1 FROM pg_namespace WHERE nspname = $1', [schemaNameOf(slug)])).rowCount === 1;
  const auditCount = async (slug: string) => platform.platformAuditEvent.count({ where: { tenantSlug: slug } });

  it('creates the registry row, domains, schema, role and tenant tables of a home tenant', async () => {
    const slug = uniqueSlug('home');
    const outcome = await provisioner.provision(testManifest(slug, { domains: [`${slug}.example`] }));
    expect(outcome).toMatchObject({
      slug,
      action: 'created',
      home: true,
      migrationsApplied: migrations.tenantMigrations.map((m) => m.file),
    });
    const row = await platform.tenant.findUnique({ where: { slug }, include: { domains: true } });
    expect(row).toMatchObject({ status: 'active', region: 'eu-west', schemaName: schemaNameOf(slug), home: true });
    expect(row?.domains.map((d) => d.domain)).toEqual([`${slug}.example`]);
    const roles = await pool.query<{ name: string }>(`SELECT name FROM "${schemaNameOf(slug)}".roles ORDER BY name`);
    expect(roles.rows.map((r) => r.name)).toEqual(['admin', 'member', 'owner', 'reseller']);
  });

  it('changes nothing when the same manifest is provisioned again', async () => {
    const slug = uniqueSlug('again');
    await provisioner.provision(testManifest(slug));
    const before = await platform.tenant.findUnique({ where: { slug } });
    const audits = await auditCount(slug);
    const outcome = await provisioner.provision(testManifest(slug));
    expect(outcome.action).toBe('unchanged');
    expect(await platform.tenant.findUnique({ where: { slug } })).toEqual(before);
    expect(await auditCount(slug)).toBe(audits);
  });

  it('updates the registry when the manifest changes, including suspension', async () => {
    const slug = uniqueSlug('change');
    await provisioner.provision(testManifest(slug, { domains: [`old-${slug}.example`] }));
    const outcome = await provisioner.provision(
      testManifest(slug, { displayName: 'Renamed', suspended: true, domains: [`new-${slug}.example`] }),
    );
    expect(outcome.action).toBe('updated');
    const row = await platform.tenant.findUnique({ where: { slug }, include: { domains: true } });
    expect(row).toMatchObject({ displayName: 'Renamed', status: 'suspended', suspended: true });
    expect(row?.domains.map((d) => d.domain)).toEqual([`new-${slug}.example`]);
  });

  it('registers a tenant of another region without creating its schema here', async () => {
    const slug = uniqueSlug('remote');
    const outcome = await provisioner.provision(testManifest(slug, { region: 'us-east' }));
    expect(outcome).toMatchObject({ home: false, action: 'created', migrationsApplied: [] });
    expect(await schemaExists(slug)).toBe(false);
    expect(await platform.tenant.findUnique({ where: { slug } })).toMatchObject({ home: false, schemaName: null, region: 'us-east' });
  });

  it('refuses the same slug in another region and leaves the tenant as it was', async () => {
    const slug = uniqueSlug('moved');
    await provisioner.provision(testManifest(slug));
    const before = await platform.tenant.findUnique({ where: { slug } });
    await expect(provisioner.provision(testManifest(slug, { region: 'ap-southeast' }))).rejects.toThrow(
      new ProvisioningError(
        'region_conflict',
        `Tenant "${slug}" already exists in region eu-west; a tenant's region cannot change (asked for ap-southeast).`,
      ),
    );
    expect(await platform.tenant.findUnique({ where: { slug } })).toEqual(before);
  });

  it("refuses another tenant's domain before creating anything", async () => {
    const owner = uniqueSlug('owner');
    const thief = uniqueSlug('thief');
    await provisioner.provision(testManifest(owner, { domains: [`${owner}.example`] }));
    await expect(provisioner.provision(testManifest(thief, { domains: [`${owner}.example`] }))).rejects.toThrow(
      /already belongs to another tenant/,
    );
    expect(await platform.tenant.findUnique({ where: { slug: thief } })).toBeNull();
    expect(await schemaExists(thief)).toBe(false);
  });

  it('refuses a parent reseller that is not registered', async () => {
    const slug = uniqueSlug('orphan');
    await expect(provisioner.provision(testManifest(slug, { parentReseller: 'no-such-reseller' }))).rejects.toThrow(
      /Parent reseller "no-such-reseller"/,
    );
    expect(await schemaExists(slug)).toBe(false);
  });

  it('deprovisions keeping the data by default, or dropping schema and role when asked', async () => {
    const kept = uniqueSlug('kept');
    const dropped = uniqueSlug('dropped');
    await provisioner.provision(testManifest(kept));
    await provisioner.provision(testManifest(dropped));
    expect(await provisioner.deprovision(kept, { dropData: false })).toEqual({ schemaDropped: false, roleDropped: false });
    expect(await schemaExists(kept)).toBe(true);
    expect(await provisioner.deprovision(dropped, { dropData: true })).toEqual({ schemaDropped: true, roleDropped: true });
    expect(await schemaExists(dropped)).toBe(false);
    expect((await pool.query('SELECT 1 FROM pg_roles WHERE rolname = $1', [schemaNameOf(dropped)])).rowCount).toBe(0);
    expect(await platform.tenant.count({ where: { slug: { in: [kept, dropped] } } })).toBe(0);
    await expect(provisioner.deprovision(dropped, { dropData: true })).rejects.toThrow(/No tenant/);
  });

  it('restores a kept schema when the tenant is provisioned again', async () => {
    const slug = uniqueSlug('restore');
    await provisioner.provision(testManifest(slug));
    await pool.query(`INSERT INTO "${schemaNameOf(slug)}".users (id, email) VALUES ('usr_kept', 'kept@example.com')`);
    await provisioner.deprovision(slug, { dropData: false });
    const outcome = await provisioner.provision(testManifest(slug));
    expect(outcome).toMatchObject({ action: 'created', migrationsApplied: [] });
    const users = await pool.query(`SELECT email FROM "${schemaNameOf(slug)}".users`);
    expect(users.rows).toEqual([{ email: 'kept@example.com' }]);
  });
});
