// Tenant-scoped transactions through a transaction-mode pooler (PgBouncer) against the same
// transactions straight to Postgres, in one run, on the same database of many tenant schemas:
//   1. throughput and latency of TenantScope.read (BEGIN READ ONLY + SET LOCAL ROLE + SET LOCAL
//      search_path, a primary-key read, COMMIT) at several numbers of concurrent app-side clients:
//      direct (one shared pg pool of BENCH_SERVER_CONNECTIONS, as a service runs today) against
//      PgBouncer (each client its own connection to it, PgBouncer holding BENCH_SERVER_CONNECTIONS
//      to Postgres), and the server connections each used (pg_stat_activity, SHOW POOLS);
//   2. the Prisma path (TenantScope.transaction) and `select` through PgBouncer, and whether named
//      prepared statements (adapter-pg's statementNameGenerator) survive transaction pooling;
//   3. that a tenant's role and search_path never reach the next transaction: after every tenant
//      transaction, a plain query on the same client connection must see the login role and the
//      default search_path (with a control that shows the check catches a session-level SET ROLE);
//   4. a server connection's memory as its catalogue caches fill with the schemas it touched.
// PgBouncer is started here (own ini in a temporary directory, free port) and stopped afterwards;
// the database is a fresh one of its own, dropped afterwards with its tenant roles.
//   npx tsx bench/pooler.ts   (BENCH_TENANTS=1000, BENCH_CLIENTS=50,200,1000, BENCH_SECONDS=8,
//                              BENCH_SERVER_CONNECTIONS=20, BENCH_PROVISION_CONCURRENCY=2, BENCH_ROUNDS=2, BENCH_CHECK_CLIENTS=200)
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { chown, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { createPlatformClient, createPool, MigrationRunner, TenantClients, type Pool } from '@mindbot/db';
import { TenantProvisioner } from '@mindbot/provisioning';
import { schemaNameOf } from '@mindbot/tenancy';
import { createTestDatabase, freePort, testManifest, type TestDatabase } from '@mindbot/testing';
import { median, ms, percentile } from './stats.js';

process.env.TEST_DATABASE_ADMIN_URL ??= process.env.BENCH_DATABASE_ADMIN_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
const TENANTS = Number(process.env.BENCH_TENANTS ?? 1000);
const CLIENTS = (process.env.BENCH_CLIENTS ?? '50,200,1000').split(',').map(Number);
const SECONDS = Number(process.env.BENCH_SECONDS ?? 8);
const SERVER_CONNECTIONS = Number(process.env.BENCH_SERVER_CONNECTIONS ?? 20);
const PROVISION_CONCURRENCY = Number(process.env.BENCH_PROVISION_CONCURRENCY ?? 2);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 2);
/** Clients of the leak check, each with a connection and a TenantClients (Prisma clients included) of its own. */
const CHECK_CLIENTS = Number(process.env.BENCH_CHECK_CLIENTS ?? 200);
const USER_ID = 'usr_1';

// Numbered from 10000, so pgbench can build a tenant's role and schema name from a number.
const slugOf = (i: number) => `pool-${10000 + i}`;
const load = () => `load ${loadavg()[0]?.toFixed(1) ?? '?'}`;
const sleep = (delayMs: number) => new Promise<void>((resolve) => setTimeout(resolve, delayMs));
const fail = (message: string): never => {
  throw new Error(message);
};

// ---- PgBouncer of our own --------------------------------------------------------------------

interface Pgbouncer {
  /** The pooled database, as the services would reach it. */
  url: string;
  version: string;
  pid: number;
  /** Its admin console (simple protocol only, answers as text). */
  admin(command: string): Promise<Record<string, string>[]>;
  stop(): Promise<void>;
}

/** uid and gid of a system user: PgBouncer refuses to run as root. */
function systemUser(name: string): { uid: number; gid: number } {
  const line = readFileSync('/etc/passwd', 'utf8')
    .split('\n')
    .find((l) => l.startsWith(`${name}:`));
  const [, , uid, gid] = line?.split(':') ?? fail(`no system user ${name}`);
  return { uid: Number(uid), gid: Number(gid) };
}

async function startPgbouncer(database: TestDatabase, maxClients: number): Promise<Pgbouncer> {
  const binary = process.env.PGBOUNCER ?? '/usr/sbin/pgbouncer';
  const dir = await mkdtemp(join(tmpdir(), 'mindbot-bench-pgbouncer-'));
  const port = await freePort();
  const server = new URL(database.url);
  await writeFile(join(dir, 'userlist.txt'), '"postgres" ""\n');
  await writeFile(
    join(dir, 'pgbouncer.ini'),
    [
      '[databases]',
      `bench = host=${server.hostname} port=${server.port || '5432'} dbname=${database.name} user=postgres`,
      '[pgbouncer]',
      'listen_addr = 127.0.0.1',
      `listen_port = ${port}`,
      'unix_socket_dir =',
      'auth_type = trust',
      `auth_file = ${join(dir, 'userlist.txt')}`,
      'admin_users = postgres',
      // The mode the per-transaction role switch is built for: a server connection is a client's only
      // for the length of one transaction.
      'pool_mode = transaction',
      `default_pool_size = ${SERVER_CONNECTIONS}`,
      `max_db_connections = ${SERVER_CONNECTIONS}`,
      `max_client_conn = ${maxClients + 50}`,
      'ignore_startup_parameters = extra_float_digits',
      'server_tls_sslmode = disable',
      `logfile = ${join(dir, 'pgbouncer.log')}`,
      'log_connections = 0',
      'log_disconnections = 0',
      '',
    ].join('\n'),
  );
  const asRoot = process.getuid?.() === 0;
  const owner = asRoot ? systemUser('postgres') : undefined;
  if (owner) await chown(dir, owner.uid, owner.gid);
  const output: string[] = [];
  const child: ChildProcess = spawn(binary, [join(dir, 'pgbouncer.ini')], {
    stdio: ['ignore', 'pipe', 'pipe'],
    ...(owner ? { uid: owner.uid, gid: owner.gid } : {}),
  });
  child.stdout?.on('data', (d: Buffer) => output.push(d.toString()));
  child.stderr?.on('data', (d: Buffer) => output.push(d.toString()));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const adminUrl = `postgres://postgres@127.0.0.1:${port}/pgbouncer`;
  const admin = async (command: string): Promise<Record<string, string>[]> => {
    const client = new pg.Client({ connectionString: adminUrl });
    await client.connect();
    try {
      const result = await client.query<Record<string, string>>(command);
      return result.rows;
    } finally {
      await client.end();
    }
  };
  const logTail = async () => [output.join(''), await readFile(join(dir, 'pgbouncer.log'), 'utf8').catch(() => '')].join('\n').slice(-2000);
  const stop = async () => {
    if (child.exitCode === null && child.signalCode === null) {
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 5_000);
      await exited;
      clearTimeout(timer);
    }
    await rm(dir, { recursive: true, force: true });
  };
  const started = Date.now();
  for (;;) {
    if (child.exitCode !== null) {
      const tail = await logTail();
      await stop();
      fail(`pgbouncer exited (${child.exitCode}):\n${tail}`);
    }
    try {
      const version = (await admin('SHOW VERSION'))[0]?.version ?? '?';
      return { url: `postgres://postgres@127.0.0.1:${port}/bench`, version, pid: child.pid ?? 0, admin, stop };
    } catch {
      if (Date.now() - started > 10_000) {
        const tail = await logTail();
        await stop();
        fail(`pgbouncer did not accept connections in 10 s:\n${tail}`);
      }
      await sleep(100);
    }
  }
}

// ---- load --------------------------------------------------------------------------------------

/** One app-side client: its own TenantClients over a pool (shared or of its own). */
interface LoadClient {
  clients: TenantClients;
  pool: Pool;
}

type Path = 'read' | 'select' | 'transaction';

/** One tenant transaction the way the platform runs it; answers the server process that ran it. */
async function tenantTransaction(client: LoadClient, slug: string, path: Path): Promise<number> {
  const scope = client.clients.forTenant(slug);
  let rows: { id: string; pid: number }[];
  if (path === 'read')
    rows = await scope.read((sql) => sql<{ id: string; pid: number }>`SELECT id, pg_backend_pid() AS pid FROM users WHERE id = ${USER_ID}`);
  else if (path === 'select')
    rows = await scope.select<{ id: string; pid: number }>`SELECT id, pg_backend_pid() AS pid FROM users WHERE id = 'usr_1'`;
  else
    rows = await scope.transaction(
      (tx) => tx.$queryRaw<{ id: string; pid: number }[]>`SELECT id, pg_backend_pid() AS pid FROM users WHERE id = ${USER_ID}`,
    );
  const row = rows[0] ?? fail(`${slug}: the tenant's user was not found (${path})`);
  return row.pid;
}

interface Sample {
  serverConnections: number;
  /** PgBouncer: server connections in any state, clients waiting for one. */
  pooled?: { servers: number; waiting: number };
}

interface RunResult {
  label: string;
  clients: number;
  transactions: number;
  errors: number;
  firstError?: string;
  seconds: number;
  latencies: number[];
  maxServerConnections: number;
  maxPooledServers?: number;
  maxWaiting?: number;
  /** PgBouncer's own accounting over the run: mean time a client waited for a server connection, per transaction. */
  waitPerTransactionUs?: number;
  /** PgBouncer's own VmRSS at the end of the run, with all its clients connected. */
  pgbouncerRssMb?: number;
  backendRssAnonMb: number;
  load: string;
}

/** Private memory (RssAnon) of this database's backends, from /proc: this machine's own Postgres. */
async function backendsRssAnonMb(monitor: Pool, database: string, own: string): Promise<{ backends: number; mb: number }> {
  const { rows } = await monitor.query<{ pid: number }>(
    `SELECT pid FROM pg_stat_activity WHERE datname = $1 AND pid <> pg_backend_pid() AND ${own}`,
    [database],
  );
  let kb = 0;
  for (const { pid } of rows) kb += statusKb(pid, 'RssAnon');
  return { backends: rows.length, mb: kb / 1024 };
}

function statusKb(pid: number, field: string): number {
  try {
    const line = readFileSync(`/proc/${pid}/status`, 'utf8')
      .split('\n')
      .find((l) => l.startsWith(`${field}:`));
    return Number(/(\d+)\s*kB/.exec(line ?? '')?.[1] ?? 0);
  } catch {
    return 0;
  }
}

interface LoadContext {
  monitor: Pool;
  database: string;
  /** Transactions pick a random tenant among the first `tenants`. */
  tenants: number;
  seconds: number;
  pgbouncer?: Pgbouncer;
}

/** This run's own server connections: the direct pool's, or PgBouncer's (which are neither the direct pool's nor the monitor's). */
const OWN_BACKENDS = {
  direct: "application_name = 'bench-direct'",
  pooled: "application_name NOT IN ('bench-direct', 'bench-monitor')",
} as const;

async function runLoad(label: string, loadClients: LoadClient[], path: Path, context: LoadContext): Promise<RunResult> {
  const { monitor, database, pgbouncer, tenants } = context;
  const own = pgbouncer ? OWN_BACKENDS.pooled : OWN_BACKENDS.direct;
  const latencies: number[] = [];
  let errors = 0;
  let firstError: string | undefined;
  // Warm every connection (and, on the Prisma path, each tenant's client) first, so set-up is not in the figures.
  const warm = Math.max(loadClients.length, path === 'transaction' ? tenants : 0);
  await Promise.all(
    Array.from({ length: warm }, (_, i) =>
      tenantTransaction(loadClients[i % loadClients.length] ?? fail('no clients'), slugOf(i % tenants), path),
    ),
  );
  const statsBefore = pgbouncer ? await pgbouncer.admin('SHOW STATS') : undefined;
  const samples: Sample[] = [];
  const sampling = new AbortController();
  const sampler = (async () => {
    while (!sampling.signal.aborted) {
      const { rows } = await monitor.query<{ n: string }>(
        `SELECT count(*)::text AS n FROM pg_stat_activity WHERE datname = $1 AND pid <> pg_backend_pid() AND ${own}`,
        [database],
      );
      const sample: Sample = { serverConnections: Number(rows[0]?.n ?? 0) };
      if (pgbouncer) {
        const pool = (await pgbouncer.admin('SHOW POOLS')).find((p) => p.database === 'bench');
        const n = (key: string) => Number(pool?.[key] ?? 0);
        sample.pooled = {
          servers: n('sv_active') + n('sv_idle') + n('sv_used') + n('sv_tested') + n('sv_login'),
          waiting: n('cl_waiting'),
        };
      }
      samples.push(sample);
      await sleep(250);
    }
  })();
  const started = performance.now();
  const end = started + context.seconds * 1000;
  await Promise.all(
    loadClients.map(async (client) => {
      while (performance.now() < end) {
        const slug = slugOf(Math.floor(Math.random() * tenants));
        const t0 = performance.now();
        try {
          await tenantTransaction(client, slug, path);
          latencies.push(performance.now() - t0);
        } catch (error) {
          errors++;
          firstError ??= String(error);
        }
      }
    }),
  );
  const seconds = (performance.now() - started) / 1000;
  sampling.abort();
  await sampler;
  const backends = await backendsRssAnonMb(monitor, database, own);
  const result: RunResult = {
    label,
    clients: loadClients.length,
    transactions: latencies.length,
    errors,
    seconds,
    latencies,
    maxServerConnections: Math.max(...samples.map((s) => s.serverConnections)),
    backendRssAnonMb: backends.mb,
    load: load(),
    ...(firstError === undefined ? {} : { firstError }),
  };
  if (pgbouncer && statsBefore) {
    const statsAfter = await pgbouncer.admin('SHOW STATS');
    const delta = (key: string) =>
      Number(statsAfter.find((s) => s.database === 'bench')?.[key] ?? 0) -
      Number(statsBefore.find((s) => s.database === 'bench')?.[key] ?? 0);
    result.maxPooledServers = Math.max(...samples.map((s) => s.pooled?.servers ?? 0));
    result.maxWaiting = Math.max(...samples.map((s) => s.pooled?.waiting ?? 0));
    result.waitPerTransactionUs = delta('total_wait_time') / Math.max(1, delta('total_xact_count'));
    result.pgbouncerRssMb = statusKb(pgbouncer.pid, 'VmRSS') / 1024;
  }
  return result;
}

/** The rounds of one variant as one run; the load average of each round is kept. */
function combine(runs: RunResult[]): RunResult {
  const first = runs[0] ?? fail('no runs');
  const pooled = runs.filter((r) => r.maxPooledServers !== undefined);
  return {
    ...first,
    transactions: runs.reduce((sum, r) => sum + r.transactions, 0),
    errors: runs.reduce((sum, r) => sum + r.errors, 0),
    seconds: runs.reduce((sum, r) => sum + r.seconds, 0),
    latencies: runs.flatMap((r) => r.latencies),
    maxServerConnections: Math.max(...runs.map((r) => r.maxServerConnections)),
    backendRssAnonMb: Math.max(...runs.map((r) => r.backendRssAnonMb)),
    load: `${runs.map((r) => (r.transactions / r.seconds).toFixed(0)).join(' / ')} xact/s by round, ${runs.map((r) => r.load).join(', ')}`,
    ...(pooled.length > 0
      ? {
          maxPooledServers: Math.max(...pooled.map((r) => r.maxPooledServers ?? 0)),
          maxWaiting: Math.max(...pooled.map((r) => r.maxWaiting ?? 0)),
          waitPerTransactionUs: pooled.reduce((sum, r) => sum + (r.waitPerTransactionUs ?? 0), 0) / pooled.length,
          pgbouncerRssMb: Math.max(...pooled.map((r) => r.pgbouncerRssMb ?? 0)),
        }
      : {}),
  };
}

function printRun(r: RunResult, baseline?: RunResult): void {
  const tps = r.transactions / r.seconds;
  const ratio = baseline ? `  ${(tps / (baseline.transactions / baseline.seconds)).toFixed(2)}× direct` : '';
  const pooled =
    r.maxPooledServers === undefined
      ? ''
      : `, PgBouncer servers ≤ ${r.maxPooledServers}, clients waiting ≤ ${r.maxWaiting ?? 0}, wait ${ms((r.waitPerTransactionUs ?? 0) / 1000)}/xact, PgBouncer RSS ${(r.pgbouncerRssMb ?? 0).toFixed(1)} MB`;
  console.log(
    `  ${r.label.padEnd(34)} ${String(r.clients).padStart(5)} clients  ${tps.toFixed(0).padStart(6)} xact/s${ratio}  p50 ${ms(median(r.latencies)).padStart(9)}  p99 ${ms(percentile(r.latencies, 99)).padStart(9)}` +
      `  server connections ≤ ${r.maxServerConnections}${pooled}, backends' RssAnon ${r.backendRssAnonMb.toFixed(0)} MB` +
      `${r.errors > 0 ? `  ERRORS ${r.errors}: ${r.firstError ?? ''}` : ''}  (${r.load})`,
  );
}

/**
 * The same tenant transaction from pgbench (C, one round trip per statement, simple protocol): the
 * ceiling of the server side in this run, free of the Node client's own cost.
 */
function pgbench(url: string, clients: number, seconds: number, dir: string): { tps: number; latencyMs: number } {
  const script = join(dir, 'tenant-read.sql');
  const last = 10000 + TENANTS - 1;
  writeFileSync(
    script,
    `\\set t random(10000, ${last})\nBEGIN READ ONLY;\nSET LOCAL ROLE t_pool_:t;\nSET LOCAL search_path TO t_pool_:t;\nSELECT id FROM users WHERE id = '${USER_ID}';\nCOMMIT;\n`,
  );
  const target = new URL(url);
  const out = execFileSync(
    'pgbench',
    [
      '-n',
      '-h',
      target.hostname,
      '-p',
      target.port || '5432',
      '-U',
      'postgres',
      '-c',
      String(clients),
      '-j',
      '2',
      '-T',
      String(seconds),
      '-f',
      script,
      target.pathname.slice(1),
    ],
    // Plain TCP on both paths, as the Node clients and PgBouncer's server connections use (libpq would otherwise choose TLS direct).
    { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, PGSSLMODE: 'disable' } },
  );
  return {
    tps: Number(/tps = ([\d.]+)/.exec(out)?.[1] ?? Number.NaN),
    latencyMs: Number(/latency average = ([\d.]+) ms/.exec(out)?.[1] ?? Number.NaN),
  };
}

// ---- the run -----------------------------------------------------------------------------------

const database = await createTestDatabase();
let pgbouncer: Pgbouncer | undefined;
const pools: Pool[] = [];
const tenantClients: TenantClients[] = [];
const poolOf = (url: string, max: number, applicationName = 'bench-setup') => {
  const pool = createPool(url, { max, applicationName });
  pools.push(pool);
  return pool;
};
const clientsOver = (pool: Pool) => {
  const clients = new TenantClients(pool);
  tenantClients.push(clients);
  return clients;
};
/** Ends the load clients of one variant, so their connections do not count in the next. */
async function release(loadClients: LoadClient[]): Promise<void> {
  const owned = new Set(loadClients.map((c) => c.pool));
  await Promise.all(loadClients.map((c) => c.clients.close()));
  for (const pool of owned) {
    await pool.end();
    pools.splice(pools.indexOf(pool), 1);
  }
}

try {
  console.log(`PgBouncer in transaction mode against direct connections, ${TENANTS} tenant schemas (${load()})`);
  const setup = poolOf(database.url, 4);
  const migrations = await MigrationRunner.load(setup);
  await migrations.migrate({ kind: 'platform', schema: 'platform' });
  const platform = createPlatformClient(setup);
  const provisioner = new TenantProvisioner({ pool: setup, platform, migrations, region: 'eu-west', actor: 'bench' });
  const provisionStarted = performance.now();
  let next = 0;
  await Promise.all(
    Array.from({ length: PROVISION_CONCURRENCY }, async () => {
      for (let i = next++; i < TENANTS; i = next++) {
        await provisioner.provision(testManifest(slugOf(i)));
        await setup.query(`INSERT INTO "${schemaNameOf(slugOf(i))}".users (id, email) VALUES ($1, $2)`, [
          USER_ID,
          `u1@${slugOf(i)}.example`,
        ]);
        if ((i + 1) % 100 === 0)
          console.log(`  provisioned ${i + 1} (${((performance.now() - provisionStarted) / 1000).toFixed(0)} s, ${load()})`);
      }
    }),
  );
  await platform.$disconnect();
  await setup.end();
  pools.splice(pools.indexOf(setup), 1);
  console.log(`  ${TENANTS} tenants provisioned in ${((performance.now() - provisionStarted) / 1000).toFixed(0)} s`);

  const monitor = poolOf(database.url, 1, 'bench-monitor');
  const login =
    (await monitor.query<{ user: string; path: string }>("SELECT current_user AS user, current_setting('search_path') AS path")).rows[0] ??
    fail('no session');
  pgbouncer = await startPgbouncer(database, Math.max(...CLIENTS, CHECK_CLIENTS));
  const bouncer = pgbouncer;
  console.log(
    `  PgBouncer ${bouncer.version}, pool_mode = transaction, ${SERVER_CONNECTIONS} server connections; Postgres login ${login.user}`,
  );
  const context = { monitor, database: database.name };

  /**
   * Direct against PgBouncer, alternating for BENCH_ROUNDS rounds so the machine's other work hits
   * both alike. Both sides run as one service process would: one TenantClients over one pg pool,
   * direct with SERVER_CONNECTIONS connections to Postgres, through PgBouncer with one per client.
   */
  // Both sides long-lived and warm, as in production: one direct pool for the whole run (its idle
  // connections kept: createPool would close them after 30 s idle, which here means between rounds)
  // and PgBouncer's server connections, each having touched every tenant schema before measuring.
  const directPool = new pg.Pool({
    connectionString: database.url,
    max: SERVER_CONNECTIONS,
    application_name: 'bench-direct',
    idleTimeoutMillis: 0,
  });
  pools.push(directPool);
  const directClients = clientsOver(directPool);
  const warmPool = poolOf(bouncer.url, SERVER_CONNECTIONS, 'bench-pooled');
  const warmClients = clientsOver(warmPool);
  for (const [what, clients, pool] of [
    ['direct', directClients, directPool],
    ['PgBouncer', warmClients, warmPool],
  ] as const) {
    const started = performance.now();
    for (let t = 0; t < TENANTS; t++) {
      await Promise.all(Array.from({ length: SERVER_CONNECTIONS }, () => tenantTransaction({ clients, pool }, slugOf(t), 'read')));
    }
    console.log(
      `  warming ${SERVER_CONNECTIONS} server connections (${what}) over the ${TENANTS} schemas: ${((performance.now() - started) / 1000).toFixed(1)} s (${load()})`,
    );
  }
  await release([{ clients: warmClients, pool: warmPool }]);

  /**
   * Direct against PgBouncer, alternating for BENCH_ROUNDS rounds so the machine's other work hits
   * both alike. Both sides run as one service process would: one TenantClients over one pg pool,
   * direct with SERVER_CONNECTIONS connections to Postgres, through PgBouncer with one per client.
   */
  const compare = async (n: number, path: Path, tenants: number) => {
    const runs: { direct: RunResult[]; pooled: RunResult[] } = { direct: [], pooled: [] };
    const seconds = SECONDS / ROUNDS;
    const runDirect = async () => {
      const direct = Array.from({ length: n }, () => ({ clients: directClients, pool: directPool }));
      runs.direct.push(await runLoad(`${path}: direct, pool of ${SERVER_CONNECTIONS}`, direct, path, { ...context, tenants, seconds }));
    };
    const runPooled = async () => {
      const pool = poolOf(bouncer.url, n, 'bench-pooled');
      const clients = clientsOver(pool);
      const pooled = Array.from({ length: n }, () => ({ clients, pool }));
      runs.pooled.push(
        await runLoad(`${path}: PgBouncer, pool of ${n}`, pooled, path, { ...context, tenants, seconds, pgbouncer: bouncer }),
      );
      await release(pooled.slice(0, 1));
    };
    // Each goes first in every other round.
    for (let round = 0; round < ROUNDS; round++) {
      for (const variant of round % 2 === 0 ? [runDirect, runPooled] : [runPooled, runDirect]) await variant();
    }
    const direct = combine(runs.direct);
    printRun(direct);
    printRun(combine(runs.pooled), direct);
  };

  console.log(`\n1. TenantScope.read, a random tenant of ${TENANTS} per transaction, ${SECONDS} s per row in ${ROUNDS} alternating rounds`);
  const pgbenchDir = mkdtempSync(join(tmpdir(), 'mindbot-bench-pgbench-'));
  try {
    for (const n of CLIENTS) {
      await compare(n, 'read', TENANTS);
      const direct = pgbench(database.url, Math.min(n, SERVER_CONNECTIONS), SECONDS / 2, pgbenchDir);
      const pooled = pgbench(bouncer.url, n, SECONDS / 2, pgbenchDir);
      console.log(
        `  pgbench, the same transaction: direct ${Math.min(n, SERVER_CONNECTIONS)} connections ${direct.tps.toFixed(0)} xact/s (mean ${direct.latencyMs} ms),` +
          ` PgBouncer ${n} clients ${pooled.tps.toFixed(0)} xact/s (mean ${pooled.latencyMs} ms) = ${(pooled.tps / direct.tps).toFixed(2)}× (${load()})`,
      );
    }
  } finally {
    rmSync(pgbenchDir, { recursive: true, force: true });
  }

  // 2. The other two paths, Prisma's above all; its clients are per tenant, kept in an LRU of 256,
  // so tenants are drawn from fewer than that and the figures are about the connection, not client set-up.
  const n2 = CLIENTS[0] ?? 50;
  const prismaTenants = Math.min(TENANTS, 200);
  console.log(`\n2. TenantScope.transaction (Prisma, adapter-pg) and TenantScope.select, ${n2} clients, ${prismaTenants} tenants`);
  await compare(n2, 'transaction', prismaTenants);
  await compare(n2, 'select', TENANTS);
  {
    // What adapter-pg does when given a statementNameGenerator: named statements, prepared once per
    // connection by pg and then only bound; through a transaction pooler the next transaction may
    // run on a server connection that never saw the Parse.
    const named = Array.from({ length: n2 }, () => poolOf(bouncer.url, 1, 'bench-pooled'));
    let ok = 0;
    const failures = new Map<string, number>();
    await Promise.all(
      named.map(async (pool) => {
        for (let i = 0; i < 100; i++) {
          try {
            await pool.query({ name: 'bench_named', text: 'SELECT $1::int AS n', values: [i] });
            ok++;
          } catch (error) {
            const message = error instanceof Error ? error.message : String(error);
            failures.set(message, (failures.get(message) ?? 0) + 1);
          }
        }
      }),
    );
    for (const pool of named) {
      await pool.end();
      pools.splice(pools.indexOf(pool), 1);
    }
    const failed = [...failures.values()].reduce((a, b) => a + b, 0);
    console.log(
      `  named prepared statements through PgBouncer ${bouncer.version}: ${ok} ran, ${failed} failed` +
        (failed > 0 ? ` (${[...failures.entries()].map(([m, c]) => `${c}× "${m}"`).join('; ')})` : ''),
    );
  }

  // 3. Nothing of a tenant's transaction reaches the next one on the same connection.
  const n3 = CHECK_CLIENTS;
  console.log(
    `\n3. After every tenant transaction, a plain query on the same client connection (${n3} clients through PgBouncer, all three paths)`,
  );
  const checked = Array.from({ length: n3 }, () => {
    const pool = poolOf(bouncer.url, 1, 'bench-pooled');
    return { clients: clientsOver(pool), pool };
  });
  // Connected first, a batch at a time: a thousand connects at once under this load outlast createPool's 5 s limit.
  for (let i = 0; i < checked.length; i += 50) await Promise.all(checked.slice(i, i + 50).map((c) => c.pool.query('SELECT 1')));
  const checks: Record<Path, number> = { read: 0, select: 0, transaction: 0 };
  let sameServer = 0;
  let checkErrors = 0;
  let firstCheckError: string | undefined;
  const leaks: string[] = [];
  // The Prisma path builds a client per tenant and per TenantClients (here one per client connection): one transaction in six.
  const rotation: Path[] = ['read', 'select', 'read', 'select', 'read', 'transaction'];
  const checkEnd = performance.now() + SECONDS * 1000;
  await Promise.all(
    checked.map(async (client, c) => {
      for (let i = c; performance.now() < checkEnd; i++) {
        const slug = slugOf(Math.floor(Math.random() * TENANTS));
        const path = rotation[i % rotation.length] ?? 'read';
        let pid: number;
        let seen: { user: string; path: string; pid: number };
        try {
          pid = await tenantTransaction(client, slug, path);
          const { rows } = await client.pool.query<{ user: string; path: string; pid: number }>(
            "SELECT current_user AS user, current_setting('search_path') AS path, pg_backend_pid() AS pid",
          );
          seen = rows[0] ?? fail('no answer');
        } catch (error) {
          checkErrors++;
          firstCheckError ??= String(error);
          continue;
        }
        checks[path]++;
        if (seen.pid === pid) sameServer++;
        if (seen.user !== login.user || seen.path !== login.path)
          leaks.push(`${slug} (${path}): ${seen.user} / ${seen.path} on server ${seen.pid}`);
      }
    }),
  );
  await release(checked);
  const total = checks.read + checks.select + checks.transaction;
  console.log(
    `  ${total} checks (after read ${checks.read}, select ${checks.select}, transaction ${checks.transaction}), ${sameServer} of them on the server connection` +
      ` that ran the tenant transaction: ${leaks.length} saw another role or search_path than ${login.user} / ${login.path}` +
      (leaks.length > 0 ? `: ${leaks.slice(0, 5).join('; ')}` : '') +
      `${checkErrors > 0 ? `; ${checkErrors} failed (${firstCheckError ?? ''})` : ''} (${load()})`,
  );
  if (leaks.length > 0 || total === 0) process.exitCode = 1;
  {
    // Control: the check does catch a leak. A session-level SET ROLE (never SET LOCAL) outlives its
    // transaction on the server connection, and PgBouncer hands that connection to the next client.
    const [a, b] = [poolOf(bouncer.url, 1, 'bench-pooled'), poolOf(bouncer.url, 1, 'bench-pooled')];
    const role = schemaNameOf(slugOf(0));
    await a.query(`SET ROLE "${role}"`);
    const seen = (await b.query<{ user: string }>('SELECT current_user AS user')).rows[0]?.user;
    console.log(
      `  control: after a session-level SET ROLE by one client, the next client saw current_user = ${seen ?? '?'}` +
        ` (${seen === role ? 'the leak is caught' : 'not caught: this run cannot tell'})`,
    );
    await b.query('RESET ROLE');
    await a.query('RESET ROLE');
    for (const pool of [a, b]) {
      await pool.end();
      pools.splice(pools.indexOf(pool), 1);
    }
  }
  await bouncer.stop();
  pgbouncer = undefined;

  // 4. One server connection's memory as it touches more tenant schemas.
  console.log('\n4. One server connection (direct) touching tenant schemas with TenantScope.read');
  const single = poolOf(database.url, 1, 'bench-direct');
  const singleClients = clientsOver(single);
  const memory = async () => {
    const { rows } = await single.query<{ cache: string; total: string; pid: number }>(
      `SELECT sum(total_bytes) FILTER (WHERE name = 'CacheMemoryContext' OR parent = 'CacheMemoryContext')::text AS cache,
              sum(total_bytes)::text AS total, pg_backend_pid() AS pid
         FROM pg_backend_memory_contexts`,
    );
    const row = rows[0] ?? fail('no memory contexts');
    return { cacheMb: Number(row.cache) / 2 ** 20, totalMb: Number(row.total) / 2 ** 20, rssAnonMb: statusKb(row.pid, 'RssAnon') / 1024 };
  };
  const points = [0, 1, 10, 100, 1000, 10000].filter((k) => k <= TENANTS);
  if (points.at(-1) !== TENANTS) points.push(TENANTS);
  let touched = 0;
  const first = await memory();
  let previous = { k: 0, ...first };
  console.log(
    `  ${'schemas'.padStart(7)}  CacheMemoryContext  all contexts  backend RssAnon`,
    `\n  ${String(0).padStart(7)}  ${first.cacheMb.toFixed(1).padStart(15)} MB  ${first.totalMb.toFixed(1).padStart(9)} MB  ${first.rssAnonMb.toFixed(1).padStart(12)} MB`,
  );
  for (const k of points.slice(1)) {
    for (; touched < k; touched++) await tenantTransaction({ clients: singleClients, pool: single }, slugOf(touched), 'read');
    const m = await memory();
    const perSchema = ((m.cacheMb - previous.cacheMb) * 1024) / (k - previous.k);
    console.log(
      `  ${String(k).padStart(7)}  ${m.cacheMb.toFixed(1).padStart(15)} MB  ${m.totalMb.toFixed(1).padStart(9)} MB  ${m.rssAnonMb.toFixed(1).padStart(12)} MB` +
        `   (+${perSchema.toFixed(0)} kB of cache per schema since ${previous.k})`,
    );
    previous = { k, ...m };
  }
  console.log(`  (${load()})`);
} finally {
  await pgbouncer?.stop();
  await Promise.all(tenantClients.map((c) => c.close()));
  await Promise.all(pools.map((p) => p.end().catch(() => undefined)));
  await database.dispose();
}
