// Provisioning and migrating many tenants against the real Postgres.
//   npm run bench:provisioning                  (100 and 1,000 tenants)
//   BENCH_TENANTS=100 npm run bench:provisioning
// Uses a fresh database of its own, dropped afterwards with its tenant roles.
import { cp, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createPlatformClient, createPool, MIGRATIONS_DIR, MigrationRunner } from '@mindbot/db';
import { TenantProvisioner } from '@mindbot/provisioning';
import { schemaNameOf } from '@mindbot/tenancy';
import { createTestDatabase, testManifest } from '@mindbot/testing';
import { median, ms, percentile, timed } from './stats.js';

process.env.TEST_DATABASE_ADMIN_URL ??= process.env.BENCH_DATABASE_ADMIN_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
const sizes = (process.env.BENCH_TENANTS ?? '100,1000').split(',').map(Number);

async function run(count: number): Promise<void> {
  const database = await createTestDatabase();
  const pool = createPool(database.url, { max: 4 });
  const dir = await mkdtemp(join(tmpdir(), 'mindbot-bench-migrations-'));
  try {
    await cp(MIGRATIONS_DIR, dir, { recursive: true });
    const migrations = await MigrationRunner.load(pool, dir);
    await migrations.migrate({ kind: 'platform', schema: 'platform' });
    const platform = createPlatformClient(pool);
    const provisioner = new TenantProvisioner({ pool, platform, migrations, region: 'eu-west', actor: 'bench' });

    // Each step as the operator runs it, so the breakdown says where a new tenant's time goes.
    const steps = { conflicts: [] as number[], database: [] as number[], registry: [] as number[] };
    const perTenant: number[] = [];
    const total = await timed(async () => {
      for (let i = 0; i < count; i++) {
        const manifest = testManifest(`bench-${String(i).padStart(5, '0')}`);
        const started = performance.now();
        const existing = await timed(() => provisioner.checkConflicts(manifest));
        const database = await timed(() => provisioner.ensureDatabase(manifest));
        const registry = await timed(() => provisioner.ensureRegistry(manifest, existing.result));
        steps.conflicts.push(existing.ms);
        steps.database.push(database.ms);
        steps.registry.push(registry.ms);
        perTenant.push(performance.now() - started);
      }
    });
    const catalogue = await pool.query<{ relations: string; size: string }>(
      "SELECT (SELECT count(*) FROM pg_class) AS relations, pg_size_pretty(sum(pg_total_relation_size(c.oid))) AS size FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = 'pg_catalog'",
    );

    const growth = await provisioningBesideAnEmptyDatabase(provisioner, dir);

    const again: number[] = [];
    const noop = await timed(async () => {
      for (let i = 0; i < count; i++) {
        const { ms: took } = await timed(() => provisioner.provision(testManifest(`bench-${String(i).padStart(5, '0')}`)));
        again.push(took);
      }
    });

    // A new tenant migration rolled out to every tenant schema, as `mindbot db migrate` does.
    await writeFile(join(dir, 'tenant', '0999_bench.sql'), 'CREATE TABLE bench_notes (id text PRIMARY KEY, body text NOT NULL);');
    const rollout = await MigrationRunner.load(pool, dir);
    const targets = Array.from({ length: count }, (_, i) => {
      const schema = schemaNameOf(`bench-${String(i).padStart(5, '0')}`);
      return { kind: 'tenant' as const, schema, role: schema };
    });
    const perSchema: number[] = [];
    const migrate = await timed(() => rollout.migrateMany(targets, ({ ms: took }) => perSchema.push(took)));

    const window = Math.min(100, Math.floor(count / 2));
    const firstLast = (samples: number[]) => `${ms(median(samples.slice(0, window)))} → ${ms(median(samples.slice(-window)))}`;
    console.log(`\n${count} tenants`);
    console.log(
      `  provision (new)       total ${(total.ms / 1000).toFixed(1)} s   per tenant median ${ms(median(perTenant))}  p95 ${ms(percentile(perTenant, 95))}`,
    );
    console.log(
      `    median of the first ${window} → last ${window}: all ${firstLast(perTenant)}; conflicts ${firstLast(steps.conflicts)}, ` +
        `schema + migrations ${firstLast(steps.database)}, registry ${firstLast(steps.registry)}`,
    );
    console.log(
      `    catalogue afterwards: ${catalogue.rows[0]?.relations ?? '?'} relations in pg_class, pg_catalog ${catalogue.rows[0]?.size ?? '?'}`,
    );
    console.log(
      `    beside ${count} tenants vs in an empty database, interleaved (same load): ${ms(median(growth.full))} vs ${ms(median(growth.empty))} ` +
        `per tenant = ${(median(growth.full) / median(growth.empty)).toFixed(2)}× (${growth.full.length} each)`,
    );
    console.log(
      `  provision (unchanged) total ${(noop.ms / 1000).toFixed(1)} s   per tenant median ${ms(median(again))}  p95 ${ms(percentile(again, 95))}`,
    );
    console.log(
      `  migrate one new file  total ${(migrate.ms / 1000).toFixed(1)} s   per tenant median ${ms(median(perSchema))}  p95 ${ms(percentile(perSchema, 95))}`,
    );
    await platform.$disconnect();
  } finally {
    await pool.end();
    await database.dispose();
    await rm(dir, { recursive: true, force: true });
  }
}

/**
 * Whether a new tenant costs more when many are already there: new tenants go alternately into the
 * full database and into a second, empty one on the same server, so both see the same machine load
 * (a first-100 vs last-100 comparison cannot tell catalogue growth from a busier machine).
 */
async function provisioningBesideAnEmptyDatabase(
  full: TenantProvisioner,
  migrationsDir: string,
): Promise<{ full: number[]; empty: number[] }> {
  const database = await createTestDatabase();
  const pool = createPool(database.url, { max: 4 });
  try {
    const migrations = await MigrationRunner.load(pool, migrationsDir);
    await migrations.migrate({ kind: 'platform', schema: 'platform' });
    const platform = createPlatformClient(pool);
    const empty = new TenantProvisioner({ pool, platform, migrations, region: 'eu-west', actor: 'bench' });
    const samples = { full: [] as number[], empty: [] as number[] };
    const rounds = Number(process.env.BENCH_GROWTH_ROUNDS ?? 30);
    for (let i = 0; i < rounds; i++) {
      const suffix = String(i).padStart(3, '0');
      samples.full.push((await timed(() => full.provision(testManifest(`late-${suffix}`)))).ms);
      samples.empty.push((await timed(() => empty.provision(testManifest(`empty-${suffix}`)))).ms);
    }
    await platform.$disconnect();
    return samples;
  } finally {
    await pool.end();
    await database.dispose();
  }
}

for (const size of sizes) await run(size);
