// Whether a tenant's schema costs more to build, and its functions more to call, as the tenants in
// one Postgres database grow: up to BENCH_TENANTS schemas (default 10,000: the capacity plan's region)
// are built with the squashed baseline (ADR 0062), and at every BENCH_STEP of them BENCH_SAMPLES more
// are built beside them, alternating with builds into a second, nearly empty database of the same
// server (the baseline in the same run). For each: the building backend's CPU (from /proc, so this
// must run on the database's machine) and its buffer accesses, then the time of a call of a tenant
// function by name (Postgres resolves a name across every schema that defines it), the catalogue's
// size, and optionally (BENCH_ROLLOUT=1) the time to roll one new migration out to every schema.
//   npx tsx bench/schema-growth.ts          (BENCH_TENANTS=10000 BENCH_STEP=1000 BENCH_SAMPLES=10)
// Both databases are dropped at the end (some 150 files per tenant, so give the filesystem a few
// minutes before timing anything else: bench/README.md, "a filesystem artefact"), and the server-wide
// catalogues that named the tenants' roles are vacuumed.
import { cp, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type pg from 'pg';
import { createPool, MIGRATIONS_DIR, MigrationRunner } from '@mindbot/db';
import { buildTenantSchema, loadTenantBaseline } from '@mindbot/provisioning';
import { createTestDatabase, type TestDatabase } from '@mindbot/testing';
import { cpuSecondsOf } from './proc.js';
import { median, ms } from './stats.js';

const adminUrl = (process.env.TEST_DATABASE_ADMIN_URL ??=
  process.env.BENCH_DATABASE_ADMIN_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres');
const total = Number(process.env.BENCH_TENANTS ?? 10_000);
const step = Number(process.env.BENCH_STEP ?? 1_000);
const samples = Number(process.env.BENCH_SAMPLES ?? 10);
const rollout = process.env.BENCH_ROLLOUT === '1';
const CALLS = 2_000;

/** One database and the one connection that builds in it, so /proc shows that backend's CPU alone. */
interface Side {
  database: TestDatabase;
  pool: pg.Pool;
  runner: MigrationRunner;
  /** Roles are server-wide: each side names its tenants with its own prefix. */
  prefix: string;
  built: number;
}

interface Build {
  wallMs: number;
  cpuMs: number;
  bufferAccesses: number;
}

/** The backend's CPU so far, in ms. */
function backendCpuMs(pid: number): number {
  const seconds = cpuSecondsOf(pid);
  if (seconds === undefined) throw new Error(`backend ${pid} is gone`);
  return seconds * 1000;
}

async function bufferAccesses(pool: pg.Pool): Promise<number> {
  // A backend reports its counters at most once a second unless told to.
  await pool.query('SELECT pg_stat_force_next_flush()');
  await pool.query('SELECT 1');
  const { rows } = await pool.query<{ n: string }>(
    'SELECT blks_hit + blks_read AS n FROM pg_stat_database WHERE datname = current_database()',
  );
  return Number(rows[0]?.n ?? Number.NaN);
}

async function openSide(prefix: string, migrationsDir: string): Promise<Side> {
  const database = await createTestDatabase();
  const pool = createPool(database.url, { max: 1 });
  const runner = await MigrationRunner.load(pool, migrationsDir);
  await runner.migrate({ kind: 'platform', schema: 'platform' });
  return { database, pool, runner, prefix, built: 0 };
}

/** The pool's one backend (a new one after the pool closed an idle connection). */
async function backendPid(side: Side): Promise<number> {
  const { rows } = await side.pool.query<{ pid: number }>('SELECT pg_backend_pid() AS pid');
  return rows[0]?.pid ?? 0;
}

const baseline = (await loadTenantBaseline()) ?? null;
if (!baseline) throw new Error('no tenant baseline (prisma/migrations/tenant-baseline): run npm run generate:tenant-baseline');

async function build(side: Side): Promise<Build> {
  const name = `t_${side.prefix}_${String(side.built++).padStart(5, '0')}`;
  const buffers0 = await bufferAccesses(side.pool);
  const pid = await backendPid(side);
  const cpu0 = backendCpuMs(pid);
  const started = performance.now();
  const built = await buildTenantSchema(side.pool, { schema: name, role: name }, side.runner.tenantMigrations, { baseline });
  const wallMs = performance.now() - started;
  const cpuMs = backendCpuMs(pid) - cpu0;
  if (built.baseline === undefined) throw new Error(`${name} was built from history, not the baseline`);
  return { wallMs, cpuMs, bufferAccesses: (await bufferAccesses(side.pool)) - buffers0 };
}

/** Median µs of `SELECT start_tickets()` (a one-line SQL function every tenant schema defines) in the side's first tenant. */
async function functionCallMicros(side: Side): Promise<number> {
  const client = await side.pool.connect();
  try {
    await client.query(`SET search_path TO t_${side.prefix}_00000`);
    const times: number[] = [];
    for (let i = 0; i < CALLS; i++) {
      const started = performance.now();
      await client.query('SELECT start_tickets()');
      times.push(performance.now() - started);
    }
    return median(times) * 1000;
  } finally {
    await client.query('RESET search_path');
    client.release();
  }
}

async function catalogue(pool: pg.Pool): Promise<string> {
  const { rows } = await pool.query<{ relations: string; functions: string; size: string }>(
    `SELECT (SELECT count(*) FROM pg_class) AS relations, (SELECT count(*) FROM pg_proc) AS functions,
            pg_size_pretty(sum(pg_total_relation_size(c.oid))) AS size
       FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = 'pg_catalog'`,
  );
  const row = rows[0];
  return row
    ? `${Number(row.relations).toLocaleString('en')} relations, ${Number(row.functions).toLocaleString('en')} functions, pg_catalog ${row.size}`
    : '?';
}

const mean = (values: readonly number[]) => values.reduce((sum, v) => sum + v, 0) / values.length;

// A copy of the migrations, so the rollout's extra file never lands in the repository's folder.
const migrationsDir = await mkdtemp(join(tmpdir(), 'mindbot-schema-growth-'));
await cp(MIGRATIONS_DIR, migrationsDir, { recursive: true });
const suffix = Math.random().toString(36).slice(2, 6);
const full = await openSide(`g${suffix}`, migrationsDir);
const empty = await openSide(`e${suffix}`, migrationsDir);
try {
  process.stdout.write(
    `Tenant schemas built with the baseline, up to ${total.toLocaleString('en')} in one database; ${samples} builds beside them at every ${step.toLocaleString('en')}, alternating with builds into a nearly empty database (the baseline)\n` +
      'tenants  build beside: wall / backend CPU / buffer accesses  |  nearly empty: wall / CPU / accesses  |  CPU ratio  |  fn call beside / empty  |  catalogue\n',
  );
  const fillStarted = performance.now();
  let fillCpu = 0;
  while (full.built <= total) {
    const beside: Build[] = [];
    const alone: Build[] = [];
    const tenantsThere = full.built;
    for (let i = 0; i < samples; i++) {
      beside.push(await build(full));
      alone.push(await build(empty));
    }
    const [callBeside, callEmpty] = [await functionCallMicros(full), await functionCallMicros(empty)];
    const row = (b: Build[]) =>
      `${ms(median(b.map((x) => x.wallMs)))} / ${mean(b.map((x) => x.cpuMs)).toFixed(0)} ms / ${Math.round(mean(b.map((x) => x.bufferAccesses))).toLocaleString('en')}`;
    process.stdout.write(
      `${tenantsThere.toLocaleString('en').padStart(7)}  ${row(beside)}  |  ${row(alone)}  |  ${(mean(beside.map((x) => x.cpuMs)) / mean(alone.map((x) => x.cpuMs))).toFixed(2)}×  |  ` +
        `${callBeside.toFixed(0)} / ${callEmpty.toFixed(0)} µs  |  ${await catalogue(full.pool)}\n`,
    );
    if (full.built >= total) break;
    const target = Math.min(total, tenantsThere + step);
    while (full.built < target) fillCpu += (await build(full)).cpuMs;
  }
  process.stdout.write(
    `${full.built.toLocaleString('en')} schemas built in ${(((performance.now() - fillStarted) / 1000) | 0).toLocaleString('en')} s (backend CPU ${(fillCpu / 1000).toFixed(0)} s for the fill)\n`,
  );

  if (rollout) {
    // One new tenant migration, as `mindbot db migrate` rolls it out: one locked transaction per schema.
    await writeFile(join(migrationsDir, 'tenant', '0999_bench.sql'), 'CREATE TABLE bench_notes (id text PRIMARY KEY, body text NOT NULL);');
    const runner = await MigrationRunner.load(full.pool, migrationsDir);
    const started = performance.now();
    const { rows } = await full.pool.query<{ nspname: string }>("SELECT nspname FROM pg_namespace WHERE nspname LIKE 't\\_%' ORDER BY 1");
    await runner.migrateMany(rows.map(({ nspname }) => ({ kind: 'tenant', schema: nspname, role: nspname })));
    const seconds = (performance.now() - started) / 1000;
    process.stdout.write(
      `one new migration rolled out to ${rows.length.toLocaleString('en')} schemas in ${seconds.toFixed(1)} s (${((seconds * 1000) / rows.length).toFixed(1)} ms each)\n`,
    );
  }
} finally {
  for (const side of [full, empty]) {
    await side.pool.end();
    await side.database.dispose();
  }
  await rm(migrationsDir, { recursive: true, force: true });
  // Every tenant's role is gone with its database, and the server-wide catalogues that named them keep the dead rows
  // (some 50 per tenant in pg_shdepend) until a vacuum: half a million after a 10,000 run, still there for the next
  // runs and tests on this server half an hour later, as autovacuum had not come round to them.
  const admin = createPool(adminUrl, { max: 1 });
  await admin.query('VACUUM pg_catalog.pg_shdepend, pg_catalog.pg_authid, pg_catalog.pg_auth_members');
  await admin.end();
}
