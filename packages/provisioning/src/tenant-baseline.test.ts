import { cp, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createPool, MIGRATIONS_DIR, MigrationRunner, type Pool } from '@mindbot/db';
import { roleNameOf, schemaNameOf } from '@mindbot/tenancy';
import { createTestDatabase, uniqueSlug, type TestDatabase } from '@mindbot/testing';
import { loadTenantBaseline, type TenantBaseline } from './tenant-baseline.js';
import { catalogueDifferences, describeSchemaCatalogue } from './tenant-catalogue.js';
import { buildTenantSchema, SchemaBuildError, type SchemaTarget } from './tenant-schema-builder.js';

describe('the tenant schema baseline', () => {
  let database: TestDatabase;
  let pool: Pool;
  let migrations: MigrationRunner;
  let baseline: TenantBaseline;
  let historyCatalogue: string[];
  let dir: string;

  const targetOf = (base: string): SchemaTarget => {
    const slug = uniqueSlug(base);
    return { schema: schemaNameOf(slug), role: roleNameOf(slug) };
  };
  const catalogueOf = (target: SchemaTarget) => describeSchemaCatalogue(pool, target.schema, target.role);
  const recorded = async (schema: string) =>
    (
      await pool.query<{ version: string; name: string; checksum: string }>(
        'SELECT version, name, checksum FROM platform.schema_migrations WHERE schema_name = $1 ORDER BY version',
        [schema],
      )
    ).rows;
  const tableExists = async (schema: string, table: string) =>
    (await pool.query('SELECT 1 FROM pg_tables WHERE schemaname = $1 AND tablename = $2', [schema, table])).rowCount === 1;
  /** A copy of prisma/migrations to add or edit tenant files in. */
  const migrationsCopy = async (change: (tenantDir: string) => Promise<void>) => {
    const copy = await mkdtemp(join(dir, 'migrations-'));
    await cp(MIGRATIONS_DIR, copy, { recursive: true });
    await change(join(copy, 'tenant'));
    return MigrationRunner.load(pool, copy);
  };

  beforeAll(async () => {
    database = await createTestDatabase();
    pool = createPool(database.url, { max: 4 });
    migrations = await MigrationRunner.load(pool);
    await migrations.migrate({ kind: 'platform', schema: 'platform' });
    dir = await mkdtemp(join(tmpdir(), 'mindbot-baseline-'));
    const loaded = await loadTenantBaseline();
    if (!loaded) throw new Error('prisma/migrations/tenant-baseline/tenant_baseline.sql is missing: npm run generate:tenant-baseline');
    baseline = loaded;
    const history = targetOf('history');
    expect(await buildTenantSchema(pool, history, migrations.tenantMigrations, { baseline: null })).toEqual({
      applied: migrations.tenantMigrations.map((m) => m.file),
    });
    historyCatalogue = await catalogueOf(history);
  });

  afterAll(async () => {
    await pool.end();
    await database.dispose();
    await rm(dir, { recursive: true, force: true });
  });

  it('builds a new schema with the catalogue the migration history builds, recorded as if every file had run', async () => {
    const target = targetOf('baseline');
    const built = await buildTenantSchema(pool, target, migrations.tenantMigrations);
    expect(built).toEqual({ applied: migrations.tenantMigrations.map((m) => m.file), baseline: 'tenant_baseline.sql' });
    expect(catalogueDifferences(historyCatalogue, await catalogueOf(target))).toEqual([]);
    expect(await recorded(target.schema)).toEqual(
      migrations.tenantMigrations.map((m) => ({ version: m.version, name: m.name, checksum: m.checksum })),
    );
    expect((await migrations.plan([{ kind: 'tenant', ...target }])).get(target.schema)).toEqual([]);
    // The comparison covers what the history is made of, not just table names.
    const kinds = new Set(historyCatalogue.map((line) => line.split(' ')[0]));
    for (const kind of ['relation', 'column', 'constraint', 'index', 'trigger', 'function', 'sequence', 'data'])
      expect(kinds).toContain(kind);
  });

  it("pins the functions that say SET search_path FROM CURRENT to the new tenant's own schema", async () => {
    const target = targetOf('pinned');
    await buildTenantSchema(pool, target, migrations.tenantMigrations);
    const { rows } = await pool.query<{ name: string; config: string[] }>(
      `SELECT p.proname AS name, p.proconfig AS config FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace
       WHERE n.nspname = $1 AND p.proconfig IS NOT NULL ORDER BY 1`,
      [target.schema],
    );
    expect(rows.map((r) => r.name)).toEqual(expect.arrayContaining(['apply_checkout_success', 'settle_session']));
    for (const row of rows) expect(row.config).toEqual([`search_path=${target.schema}`]);
  });

  it("leaves the pooled connection's own settings as they were", async () => {
    const single = createPool(database.url, { max: 1 });
    try {
      const settings = async () =>
        (
          await single.query<{ path: string; role: string; checks: string }>(
            "SELECT current_setting('search_path') AS path, current_user AS role, current_setting('check_function_bodies') AS checks",
          )
        ).rows[0];
      const before = await settings();
      expect(await buildTenantSchema(single, targetOf('pooled'), migrations.tenantMigrations)).toHaveProperty('baseline');
      expect(await settings()).toEqual(before);
    } finally {
      await single.end();
    }
  });

  it('tells a baseline missing an index, with another function body or other seed rows from the history', async () => {
    const index = /^CREATE INDEX audit_log_action_idx .*;$/m;
    expect(baseline.sql).toMatch(index);
    expect(baseline.sql).toContain('AS $$SELECT 32$$;');
    expect(baseline.sql).toContain("'pkg_starter', 'Starter', '1 hour'");
    const doctored = {
      ...baseline,
      sql: baseline.sql
        .replace(index, '')
        .replace('AS $$SELECT 32$$;', () => 'AS $$SELECT 33$$;')
        .replace("'pkg_starter', 'Starter', '1 hour'", "'pkg_starter', 'Starter', 'One hour'"),
    };
    const target = targetOf('doctored');
    expect(await buildTenantSchema(pool, target, migrations.tenantMigrations, { baseline: doctored })).toHaveProperty('baseline');
    const differences = catalogueDifferences(historyCatalogue, await catalogueOf(target));
    expect(differences).toEqual([
      expect.stringMatching(/^- data packages: .*"1 hour"/),
      expect.stringMatching(/^- function <schema>\.start_tickets\(\): [\s\S]*SELECT 32/),
      expect.stringMatching(/^- index audit_log_action_idx: /),
      expect.stringMatching(/^- relation audit_log_action_idx: /),
      expect.stringMatching(/^\+ data packages: .*"One hour"/),
      expect.stringMatching(/^\+ function <schema>\.start_tickets\(\): [\s\S]*SELECT 33/),
    ]);
  });

  it('applies the migrations written after the baseline from history, and the runner then applies only newer ones', async () => {
    const later = await migrationsCopy((tenant) =>
      writeFile(join(tenant, '0901_later.sql'), 'CREATE TABLE later_notes (id text PRIMARY KEY, body text NOT NULL);'),
    );
    const target = targetOf('later');
    expect(await buildTenantSchema(pool, target, later.tenantMigrations)).toEqual({
      applied: later.tenantMigrations.map((m) => m.file),
      baseline: 'tenant_baseline.sql',
    });
    expect(await tableExists(target.schema, 'later_notes')).toBe(true);
    expect((await recorded(target.schema)).at(-1)).toMatchObject({ version: '0901', name: 'later' });

    // A tenant built before that file existed gets it from the runner, like every other tenant.
    const earlier = targetOf('earlier');
    expect(await buildTenantSchema(pool, earlier, migrations.tenantMigrations)).toHaveProperty('baseline');
    expect(await later.migrate({ kind: 'tenant', ...earlier })).toEqual({ schema: earlier.schema, applied: ['0901_later.sql'] });
    expect(await tableExists(earlier.schema, 'later_notes')).toBe(true);
  });

  it('builds from history when a file the baseline covers was edited', async () => {
    const edited = await migrationsCopy(async (tenant) => {
      const file = join(tenant, '0001_identity.sql');
      await writeFile(file, `${await readFile(file, 'utf8')}\nCREATE TABLE edited_marker (id int);\n`);
    });
    const target = targetOf('edited');
    expect(await buildTenantSchema(pool, target, edited.tenantMigrations)).toEqual({ applied: edited.tenantMigrations.map((m) => m.file) });
    expect(await tableExists(target.schema, 'edited_marker')).toBe(true);
    expect((await recorded(target.schema))[0]?.checksum).toBe(edited.tenantMigrations[0]?.checksum);
  });

  it('builds from history when a file the baseline covers is already applied', async () => {
    const target = targetOf('half');
    const [first, ...rest] = migrations.tenantMigrations;
    await buildTenantSchema(pool, target, first ? [first] : []);
    expect(await buildTenantSchema(pool, target, migrations.tenantMigrations)).toEqual({ applied: rest.map((m) => m.file) });
    expect(catalogueDifferences(historyCatalogue, await catalogueOf(target))).toEqual([]);
  });

  it('names the baseline when it fails, and leaves neither schema nor records behind', async () => {
    const broken = { ...baseline, sql: `${baseline.sql}\nCREATE TABLE oops (id int REFERENCES nowhere (id));` };
    const target = targetOf('broken');
    const promise = buildTenantSchema(pool, target, migrations.tenantMigrations, { baseline: broken });
    await expect(promise).rejects.toThrow(SchemaBuildError);
    await expect(promise).rejects.toThrow(`tenant_baseline.sql failed on schema ${target.schema}`);
    expect((await pool.query('SELECT 1 FROM pg_namespace WHERE nspname = $1', [target.schema])).rowCount).toBe(0);
    expect(await recorded(target.schema)).toEqual([]);
  });
});
