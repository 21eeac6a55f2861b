import pg from 'pg';
import { createPool, MigrationRunner, quoteIdent, type Migration, type Pool } from '@mindbot/db';
import { roleNameOf, schemaNameOf } from '@mindbot/tenancy';
import { createTestDatabase, uniqueSlug, type TestDatabase } from '@mindbot/testing';
import { buildTenantSchema, SchemaBuildError } from './tenant-schema-builder.js';

describe('buildTenantSchema', () => {
  let database: TestDatabase;
  let pool: Pool;
  let migrations: MigrationRunner;

  beforeAll(async () => {
    database = await createTestDatabase();
    pool = createPool(database.url, { max: 4 });
    migrations = await MigrationRunner.load(pool);
    await migrations.migrate({ kind: 'platform', schema: 'platform' });
  });

  afterAll(async () => {
    await pool.end();
    await database.dispose();
  });

  const targetOf = (slug: string) => ({ schema: schemaNameOf(slug), role: roleNameOf(slug) });
  const recorded = async (schema: string) =>
    (
      await pool.query<{ version: string; checksum: string }>(
        'SELECT version, checksum FROM platform.schema_migrations WHERE schema_name = $1 ORDER BY version',
        [schema],
      )
    ).rows;
  const schemaOwner = async (schema: string) =>
    (
      await pool.query<{ owner: string }>(
        'SELECT r.rolname AS owner FROM pg_namespace n JOIN pg_roles r ON r.oid = n.nspowner WHERE n.nspname = $1',
        [schema],
      )
    ).rows[0]?.owner;

  it('creates the role-owned schema with every migration, recorded as the migration runner records them', async () => {
    const target = targetOf(uniqueSlug('built'));
    const built = await buildTenantSchema(pool, target, migrations.tenantMigrations);
    expect(built.applied).toEqual(migrations.tenantMigrations.map((m) => m.file));
    expect(await schemaOwner(target.schema)).toBe(target.role);
    expect(await recorded(target.schema)).toEqual(migrations.tenantMigrations.map((m) => ({ version: m.version, checksum: m.checksum })));
    // The tables belong to the tenant's role, as when the runner applies the files one by one.
    const owners = await pool.query<{ owner: string }>('SELECT DISTINCT tableowner AS owner FROM pg_tables WHERE schemaname = $1', [
      target.schema,
    ]);
    expect(owners.rows).toEqual([{ owner: target.role }]);
    // Nothing left for the runner to do, and a second build applies nothing.
    expect((await migrations.plan([{ kind: 'tenant', ...target }])).get(target.schema)).toEqual([]);
    expect(await buildTenantSchema(pool, target, migrations.tenantMigrations)).toEqual({ applied: [] });
  });

  it('builds the same tenant in two databases of one server at once (roles are server-wide; two local platforms, two regions)', async () => {
    const other = await createTestDatabase();
    const otherPool = createPool(other.url, { max: 4 });
    try {
      const otherMigrations = await MigrationRunner.load(otherPool);
      await otherMigrations.migrate({ kind: 'platform', schema: 'platform' });
      const target = targetOf(uniqueSlug('twice'));
      const [here, there] = await Promise.all([
        buildTenantSchema(pool, target, migrations.tenantMigrations),
        buildTenantSchema(otherPool, target, otherMigrations.tenantMigrations),
      ]);
      expect(here.applied).toHaveLength(migrations.tenantMigrations.length);
      expect(there.applied).toHaveLength(migrations.tenantMigrations.length);
      expect(await schemaOwner(target.schema)).toBe(target.role);
    } finally {
      await otherPool.end();
      await other.dispose();
    }
  });

  it('builds the tenant when another database drops its role midway (that database removed a tenant of the same name)', async () => {
    const target = targetOf(uniqueSlug('dropped'));
    await pool.query(`CREATE ROLE ${quoteIdent(target.role)} NOLOGIN NOINHERIT`);
    const roleId = (await pool.query<{ oid: number }>('SELECT oid FROM pg_roles WHERE rolname = $1', [target.role])).rows[0]?.oid;
    // The other database's removal holds the role, dropped but not yet committed, while this build
    // finds the role present and then waits to make it own the schema.
    const remover = new pg.Client({ connectionString: database.url });
    await remover.connect();
    try {
      await remover.query('BEGIN');
      await remover.query(`DROP ROLE ${quoteIdent(target.role)}`);
      const building = buildTenantSchema(pool, target, migrations.tenantMigrations);
      const waitingOnRole = async () =>
        (
          await remover.query<{ waiting: number }>(
            "SELECT count(*)::int AS waiting FROM pg_locks WHERE NOT granted AND locktype = 'object' AND classid = 'pg_authid'::regclass AND objid = $1",
            [roleId],
          )
        ).rows[0]?.waiting ?? 0;
      for (let polls = 0; (await waitingOnRole()) === 0; polls++) {
        if (polls > 200) throw new Error('the build never waited for the role being dropped');
        await new Promise((resolve) => setTimeout(resolve, 25));
      }
      await remover.query('COMMIT');
      const built = await building;
      expect(built.applied).toHaveLength(migrations.tenantMigrations.length);
      expect(await schemaOwner(target.schema)).toBe(target.role);
    } finally {
      await remover.end();
    }
  });

  it('finishes a schema built halfway, applying only the files it lacks', async () => {
    const target = targetOf(uniqueSlug('half'));
    const [first, ...rest] = migrations.tenantMigrations;
    await buildTenantSchema(pool, target, first ? [first] : []);
    const built = await buildTenantSchema(pool, target, migrations.tenantMigrations);
    expect(built.applied).toEqual(rest.map((m) => m.file));
    expect((await recorded(target.schema)).map((r) => r.version)).toEqual(migrations.tenantMigrations.map((m) => m.version));
  });

  it('names the failing file and leaves neither schema nor records behind', async () => {
    const target = targetOf(uniqueSlug('broken'));
    const broken: Migration = {
      version: '9998',
      name: 'broken',
      file: '9998_broken.sql',
      sql: 'CREATE TABLE oops (id int REFERENCES nowhere (id));',
      checksum: 'x',
    };
    const promise = buildTenantSchema(pool, target, [...migrations.tenantMigrations, broken]);
    await expect(promise).rejects.toThrow(SchemaBuildError);
    await expect(promise).rejects.toThrow(`9998_broken.sql failed on schema ${target.schema}`);
    expect(await schemaOwner(target.schema)).toBeUndefined();
    expect(await recorded(target.schema)).toEqual([]);
  });
});
