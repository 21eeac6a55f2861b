import { cp, mkdtemp, readFile, rm, writeFile, rename } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createTestDatabase, type TestDatabase } from '@mindbot/testing';
import { createPool, type Pool } from '../pool.js';
import { ensureTenantSchema } from '../tenant-schema.js';
import { MIGRATIONS_DIR } from './migrations-dir.js';
import { MigrationDriftError, MigrationRunner } from './migration-runner.js';

describe('MigrationRunner', () => {
  let database: TestDatabase;
  let pool: Pool;
  let dir: string;

  beforeEach(async () => {
    database = await createTestDatabase();
    pool = createPool(database.url, { max: 4 });
    dir = await mkdtemp(join(tmpdir(), 'mindbot-migrations-'));
    await cp(MIGRATIONS_DIR, dir, { recursive: true });
  });

  afterEach(async () => {
    await pool.end();
    await database.dispose();
    await rm(dir, { recursive: true, force: true });
  });

  const platform = { kind: 'platform', schema: 'platform' } as const;
  // Synthetic migrations use versions 9xxx so they sort after every real one.
  let platformVersions: string[] = [];
  beforeEach(async () => {
    platformVersions = (await MigrationRunner.load(pool, dir)).platformMigrations.map((m) => m.version);
  });
  const recorded = async (schema = 'platform') =>
    (
      await pool.query<{ version: string }>('SELECT version FROM platform.schema_migrations WHERE schema_name = $1 ORDER BY version', [
        schema,
      ])
    ).rows.map((r) => r.version);
  const tableExists = async (qualified: string) =>
    (await pool.query<{ t: string | null }>('SELECT to_regclass($1)::text AS t', [qualified])).rows[0]?.t !== null;

  it('applies every pending migration once, with its checksum, and nothing on a second run', async () => {
    const runner = await MigrationRunner.load(pool, dir);
    const first = await runner.migrate(platform);
    expect(first.applied).toEqual(runner.platformMigrations.map((m) => m.file));
    const second = await runner.migrate(platform);
    expect(second.applied).toEqual([]);
    const { rows } = await pool.query<{ checksum: string }>('SELECT checksum FROM platform.schema_migrations');
    expect(rows.map((r) => r.checksum)).toEqual(runner.platformMigrations.map((m) => m.checksum));
  });

  it('refuses to run when an applied file has changed, and applies nothing else either', async () => {
    await (await MigrationRunner.load(pool, dir)).migrate(platform);
    const file = join(dir, 'platform', '0001_registry.sql');
    await writeFile(file, `${await readFile(file, 'utf8')}\n-- edited after release\n`);
    await writeFile(join(dir, 'platform', '9001_more.sql'), 'CREATE TABLE platform.more (id int);');
    const runner = await MigrationRunner.load(pool, dir);
    await expect(runner.migrate(platform)).rejects.toThrow(MigrationDriftError);
    await expect(runner.migrate(platform)).rejects.toThrow(/0001_registry.sql was changed after it was applied/);
    expect(await tableExists('platform.more')).toBe(false);
    expect(await recorded()).toEqual(platformVersions);
  });

  it('refuses when an applied file is gone or renamed', async () => {
    await (await MigrationRunner.load(pool, dir)).migrate(platform);
    await rename(join(dir, 'platform', '0001_registry.sql'), join(dir, 'platform', '0001_renamed.sql'));
    await expect((await MigrationRunner.load(pool, dir)).migrate(platform)).rejects.toThrow(/renamed from 0001_registry.sql/);
    await rm(join(dir, 'platform', '0001_renamed.sql'));
    await expect((await MigrationRunner.load(pool, dir)).migrate(platform)).rejects.toThrow(/that file is gone/);
  });

  it('keeps whole migrations only when one fails halfway, and the next run finishes the job', async () => {
    await writeFile(join(dir, 'platform', '9001_widgets.sql'), 'CREATE TABLE platform.widgets (id int);');
    await writeFile(join(dir, 'platform', '9002_broken.sql'), 'CREATE TABLE platform.gadgets (id int);\nSELECT no_such_function();');
    await expect((await MigrationRunner.load(pool, dir)).migrate(platform)).rejects.toThrow(/9002_broken.sql failed on schema platform/);
    expect(await recorded()).toEqual([...platformVersions, '9001']);
    expect(await tableExists('platform.widgets')).toBe(true);
    expect(await tableExists('platform.gadgets')).toBe(false);

    await writeFile(join(dir, 'platform', '9002_broken.sql'), 'CREATE TABLE platform.gadgets (id int);');
    const resumed = await (await MigrationRunner.load(pool, dir)).migrate(platform);
    expect(resumed.applied).toEqual(['9002_broken.sql']);
    expect(await tableExists('platform.gadgets')).toBe(true);
  });

  it('applies each migration exactly once when several runners race on the same schemas', async () => {
    const runners = await Promise.all([MigrationRunner.load(pool, dir), MigrationRunner.load(pool, dir), MigrationRunner.load(pool, dir)]);
    const [first] = runners;
    await first.migrate(platform);
    await ensureTenantSchema(pool, 'race-one');
    const target = { kind: 'tenant', schema: 't_race_one', role: 't_race_one' } as const;
    const results = await Promise.all(runners.map((r) => r.migrate(target)));
    // Which runner applies which file depends on who wins each lock; together, each file exactly once.
    expect(results.flatMap((r) => r.applied).sort()).toEqual(first.tenantMigrations.map((m) => m.file).sort());
    expect(await recorded('t_race_one')).toEqual(first.tenantMigrations.map((m) => m.version));
  });

  it('creates tenant objects owned by the tenant role', async () => {
    const runner = await MigrationRunner.load(pool, dir);
    await runner.migrate(platform);
    await ensureTenantSchema(pool, 'owner-check');
    await runner.migrate({ kind: 'tenant', schema: 't_owner_check', role: 't_owner_check' });
    const { rows } = await pool.query<{ owner: string }>(
      "SELECT DISTINCT tableowner AS owner FROM pg_tables WHERE schemaname = 't_owner_check'",
    );
    expect(rows).toEqual([{ owner: 't_owner_check' }]);
  });

  it('refuses a migration folder with a file that is not NNNN_name.sql', async () => {
    await writeFile(join(dir, 'tenant', 'oops.sql'), 'SELECT 1;');
    await expect(MigrationRunner.load(pool, dir)).rejects.toThrow(/oops.sql is not named NNNN_name.sql/);
  });
});
