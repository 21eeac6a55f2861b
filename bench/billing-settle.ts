// Settle transactions per second (a heartbeat that charges one more second) at 1, 8 and 32
// concurrent clients, beside pgbench running a single-row UPDATE transaction with the same client
// counts on the same server in the same run. A heartbeat whose seconds fit in the session's hold
// moves the session row only; about once per half chunk one captures to the ledger (lock the
// user's lots, write the ledger entry, update lot and session; tenant migration 0022). The ledger
// is verified after each run: consistent, and every second charged. Then pgbench runs the
// heartbeat itself (BEGIN and the SET LOCALs, settle_heartbeat, COMMIT: the statements the service
// sends) on the same sessions: the ceiling of any client, so the last column shows how much of the
// gap to the single-row update is the settle's own SQL work. Its settles are verified too (every
// transaction pgbench reports charged one second): one that charged nothing would be a cheap no-op.
//
// The settles run twice per client count: from this one Node process (as billing's figures were
// first measured), and from min(clients, 2) worker processes, each with its own pool of its share
// of the clients and its own sessions. Two because pgbench is given two client threads (-j 2) and
// billing runs as two or more replicas in production, so one Node process must not be a ceiling
// the baseline does not have (a CPU profile at 32 clients showed ~40 % of it in socket writes).
// The workers connect and warm up before the clock starts, start on one signal and settle for the
// same window; the ledger check covers every session of every worker. Each run prints the client's
// CPU in cores: on this two-core machine both stay near a quarter to a third of a core, and two
// processes settle no faster than one (bench/README.md).
//   npx tsx bench/billing-settle.ts        (BENCH_SECONDS=3 per run by default; BENCH_WORKERS_FIRST=1 swaps the order)
import { execFileSync, fork, type ChildProcess } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createPool, TenantClients, type TenantScope } from '@mindbot/db';
import { roleNameOf, schemaNameOf } from '@mindbot/tenancy';
import { heartbeat, startSession, type MeteringSettings } from '../services/billing/src/domain/metering.js';
import { BENCH_TENANT, billingBenchSetup, grantSeconds, ledgerProblems } from './billing-common.js';

const seconds = Number(process.env.BENCH_SECONDS ?? 3);
/** BENCH_WORKERS_FIRST=1 runs the worker processes before the one process at each client count. */
const workersFirst = process.env.BENCH_WORKERS_FIRST === '1';
const clientCounts = (process.env.BENCH_CLIENTS ?? '1,8,32').split(',').map(Number);
const settings: MeteringSettings = { chunkSeconds: 60, warnSeconds: 120, heartbeatTimeoutSeconds: 90, clockToleranceSeconds: 15 };
/** How long each worker settles before the clock starts (connections, JIT); these settles are not counted. */
const WARM_UP_MS = 1000;

/** Parent → worker: settle these sessions over `databaseUrl`; later, the shared window (epoch ms). */
type ToWorker = { kind: 'setup'; databaseUrl: string; sessions: string[]; now: string } | { kind: 'go'; startAt: number; endAt: number };
/** Worker → parent. `settles` counts the timed window; `total` adds the warm-up (what the ledger holds). */
type FromWorker =
  | { kind: 'ready' }
  | { kind: 'done'; settles: number; total: number; finishedAt: number; cpuMs: number }
  | { kind: 'failed'; message: string };

/** Wall-clock milliseconds comparable across processes (performance.now() starts at each process's own origin). */
const epochNow = (): number => performance.timeOrigin + performance.now();

/** Settles `sessionId` one second more each time until `endAt`, after `from` seconds already charged. */
async function settleUntil(scope: TenantScope, sessionId: string, from: number, endAt: number, now: Date): Promise<number> {
  let elapsed = from;
  while (epochNow() < endAt) {
    elapsed++;
    const r = await heartbeat(scope, { sessionId, elapsedSeconds: elapsed }, settings, now);
    if (!r.ok || r.value.chargedSeconds !== elapsed) throw new Error(`settle went wrong: ${JSON.stringify(r)}`);
  }
  return elapsed;
}

function nextMessage<T>(source: NodeJS.Process | ChildProcess): Promise<T> {
  return new Promise((resolve, reject) => {
    const onExit = (code: number | null) => reject(new Error(`worker exited (${code}) before answering`));
    source.once('exit', onExit);
    source.once('message', (m) => {
      source.off('exit', onExit);
      resolve(m as T);
    });
  });
}

/** A worker process: its own pool and tenant clients, as a second billing replica would have. */
async function runWorker(): Promise<void> {
  const send = (m: FromWorker) => new Promise<void>((resolve) => process.send?.(m, () => resolve()));
  const setup = await nextMessage<ToWorker>(process);
  if (setup.kind !== 'setup') throw new Error(`worker expected setup, got ${setup.kind}`);
  const pool = createPool(setup.databaseUrl, { max: setup.sessions.length, applicationName: 'mindbot-billing-bench-worker' });
  const tenants = new TenantClients(pool);
  const scope = tenants.forTenant(BENCH_TENANT);
  const now = new Date(setup.now);
  try {
    // Every session's heartbeats at once, so the pool opens all its connections and the JIT has
    // compiled the path before the clock starts, as in the one process after its set-up.
    const warmEnd = epochNow() + WARM_UP_MS;
    const warmed = await Promise.all(setup.sessions.map((sessionId) => settleUntil(scope, sessionId, 0, warmEnd, now)));
    const go = nextMessage<ToWorker>(process);
    await send({ kind: 'ready' });
    const window = await go;
    if (window.kind !== 'go') throw new Error(`worker expected go, got ${window.kind}`);
    await new Promise((resolve) => setTimeout(resolve, Math.max(0, window.startAt - epochNow())));
    const cpu0 = process.cpuUsage();
    const reached = await Promise.all(
      setup.sessions.map((sessionId, i) => settleUntil(scope, sessionId, warmed[i] ?? 0, window.endAt, now)),
    );
    const finishedAt = epochNow();
    const cpu = process.cpuUsage(cpu0);
    const total = reached.reduce((sum, e) => sum + e, 0);
    const settles = total - warmed.reduce((sum, e) => sum + e, 0);
    await send({
      kind: 'done',
      settles,
      total,
      finishedAt,
      cpuMs: (cpu.user + cpu.system) / 1000,
    });
  } catch (error) {
    await send({ kind: 'failed', message: error instanceof Error ? (error.stack ?? error.message) : String(error) });
  } finally {
    await tenants.close();
    await pool.end();
    process.disconnect();
  }
}

if (process.argv[2] === '--settle-worker') {
  await runWorker();
} else {
  await runBench();
}

async function runBench(): Promise<void> {
  const { database, deps } = await billingBenchSetup(Math.max(...clientCounts) + 2);
  const scope = deps.tenants.forTenant(BENCH_TENANT);
  // The pool's connections close soon after each settle run, so pgbench's clients fit under the
  // server's max_connections beside whatever else uses it.
  deps.pool.options.idleTimeoutMillis = 200;

  const UPDATE_SCRIPT = '\\set id random(1, :rows)\nBEGIN;\nUPDATE bench_accounts SET balance = balance - 1 WHERE id = :id;\nCOMMIT;\n';

  /** The heartbeat's statements as pgbench sends them: client n settles sessions[n], one second more each time from `elapsed`. */
  function settleScript(sessions: readonly string[]): string {
    const ids = sessions.map((id) => `'${id}'`).join(',');
    return (
      '\\set e :e + 1\n' +
      `BEGIN \\; SET LOCAL ROLE "${roleNameOf(BENCH_TENANT)}" \\; SET LOCAL search_path TO "${schemaNameOf(BENCH_TENANT)}";\n` +
      `SELECT * FROM settle_heartbeat((ARRAY[${ids}])[:client_id + 1], :e, now() + interval '30 days', ${settings.chunkSeconds}, ${settings.clockToleranceSeconds}, ${settings.warnSeconds});\n` +
      'COMMIT;\n'
    );
  }

  /** pgbench's transactions per second and how many transactions it completed. */
  function pgbench(clients: number, scriptText = UPDATE_SCRIPT, elapsed = 0): { tps: number; processed: number } {
    const dir = mkdtempSync(join(tmpdir(), 'billing-pgbench-'));
    const script = join(dir, 'update.sql');
    writeFileSync(script, scriptText);
    const url = new URL(database.url);
    const out = execFileSync(
      'pgbench',
      [
        '-n',
        '-h',
        url.hostname,
        '-p',
        url.port || '5432',
        '-U',
        decodeURIComponent(url.username) || 'postgres',
        '-c',
        String(clients),
        '-j',
        String(Math.min(clients, 2)),
        '-T',
        String(seconds),
        '-D',
        `rows=${clients}`,
        '-D',
        `e=${elapsed}`,
        '-f',
        script,
        url.pathname.slice(1),
      ],
      { encoding: 'utf8', env: { ...process.env, PGPASSWORD: decodeURIComponent(url.password) } },
    );
    const tps = /tps = ([\d.]+)/.exec(out)?.[1];
    const processed = /number of transactions actually processed: (\d+)/.exec(out)?.[1];
    return { tps: tps ? Number(tps) : Number.NaN, processed: processed ? Number(processed) : Number.NaN };
  }

  /** One user with plenty of time and one open session per client (sessions of different users in parallel). */
  async function openSessions(label: string, count: number, started: Date): Promise<string[]> {
    const sessions: string[] = [];
    for (let i = 0; i < count; i++) {
      const userId = `usr_bench_${label}_${i}`;
      await scope.transaction((tx) => grantSeconds(tx, userId, 1_000_000, started));
      // Sessions of earlier runs stay open: the plan limit must not be what is measured.
      const s = await startSession(scope, { userId, startKey: `bench-${label}-${i}`, persona: null }, settings, started, {
        tenant: BENCH_TENANT,
        concurrentSessions: 1_000_000,
      });
      if (!s.ok) throw new Error(`start failed: ${s.failure}`);
      sessions.push(s.value.sessionId);
    }
    return sessions;
  }

  /** What `sessions` were charged in all, and what of it the ledger holds (the rest is pending, covered by their holds). */
  async function chargedTo(sessions: readonly string[]): Promise<{ charged: number; inLedger: number }> {
    const [row] = await scope.transaction(
      (tx) =>
        tx.$queryRaw<{ charged: number; in_ledger: number }[]>`
        SELECT COALESCE(sum(charged_seconds), 0)::int AS charged, COALESCE(sum(charged_seconds - pending_seconds), 0)::int AS in_ledger
        FROM voice_sessions WHERE id = ANY(${[...sessions]}::text[])`,
    );
    return { charged: row?.charged ?? 0, inLedger: row?.in_ledger ?? 0 };
  }

  /**
   * Throws unless the ledger is consistent (every lot equals its entries, every session's entries
   * equal its charge less what is pending) and `sessions` were charged `expected` seconds in all.
   */
  async function verifyLedger(what: string, sessions: readonly string[], expected: number): Promise<void> {
    const problems = await scope.transaction((tx) => ledgerProblems(tx));
    const { charged, inLedger } = await chargedTo(sessions);
    if (problems.length > 0 || charged !== expected) {
      throw new Error(
        `ledger check failed after ${what}: ${problems.length} problems, ${charged} seconds charged for ${expected} expected`,
      );
    }
    process.stdout.write(`  ${what}: ${charged} seconds charged, ${inLedger} of them in the ledger, the rest held pending\n`);
  }

  /** Settles from `workers` child processes, each with its share of `sessions`; the ledger is verified per worker. */
  async function settleFromWorkers(
    workers: number,
    sessions: readonly string[],
    now: Date,
  ): Promise<{ tps: number; settles: number; cores: number }> {
    const shares = Array.from({ length: workers }, (_, w) => sessions.filter((_, i) => i % workers === w));
    const children = shares.map(() =>
      fork(fileURLToPath(import.meta.url), ['--settle-worker'], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] }),
    );
    const exited = children.map((child) => new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code))));
    try {
      const ready = children.map((child) => nextMessage<FromWorker>(child));
      children.forEach((child, w) =>
        child.send({ kind: 'setup', databaseUrl: database.url, sessions: shares[w] ?? [], now: now.toISOString() } satisfies ToWorker),
      );
      for (const m of await Promise.all(ready)) if (m.kind !== 'ready') throw new Error(`worker not ready: ${JSON.stringify(m)}`);
      const done = children.map((child) => nextMessage<FromWorker>(child));
      // Far enough ahead that every worker has the signal before the window opens, even on a loaded machine.
      const startAt = epochNow() + 100;
      const endAt = startAt + seconds * 1000;
      for (const child of children) child.send({ kind: 'go', startAt, endAt } satisfies ToWorker);
      const results = await Promise.all(done);
      let settles = 0;
      let finishedAt = startAt;
      let cpuMs = 0;
      for (const [w, m] of results.entries()) {
        if (m.kind !== 'done') throw new Error(`worker ${w} failed: ${m.kind === 'failed' ? m.message : m.kind}`);
        await verifyLedger(`worker ${w} of ${workers}`, shares[w] ?? [], m.total);
        settles += m.settles;
        finishedAt = Math.max(finishedAt, m.finishedAt);
        cpuMs += m.cpuMs;
      }
      return { tps: settles / ((finishedAt - startAt) / 1000), settles, cores: cpuMs / (finishedAt - startAt) };
    } finally {
      for (const child of children) if (child.exitCode === null) child.kill();
      await Promise.all(exited);
    }
  }

  try {
    await deps.pool.query('CREATE TABLE public.bench_accounts (id int PRIMARY KEY, balance int NOT NULL)');
    await deps.pool.query('INSERT INTO public.bench_accounts SELECT g, 1000000000 FROM generate_series(1, 64) g');
    const results: {
      clients: number;
      settleTps: number;
      workers: number;
      workersTps: number;
      pgbenchTps: number;
      pgbenchSettleTps: number;
    }[] = [];
    for (const clients of clientCounts) {
      const started = new Date();
      const sessions = await openSessions(String(clients), clients, started);
      const later = new Date(started.getTime() + 30 * 86_400_000); // heartbeats are never ahead of this clock
      let settleTps = Number.NaN;
      let furthest = 0;
      const oneProcess = async () => {
        let settles = 0;
        const deadline = performance.now() + seconds * 1000;
        const t0 = performance.now();
        const cpu0 = process.cpuUsage();
        await Promise.all(
          sessions.map(async (sessionId) => {
            let elapsed = 0;
            while (performance.now() < deadline) {
              elapsed++;
              const r = await heartbeat(scope, { sessionId, elapsedSeconds: elapsed }, settings, later);
              if (!r.ok || r.value.chargedSeconds !== elapsed) throw new Error(`settle went wrong: ${JSON.stringify(r)}`);
              settles++;
            }
            furthest = Math.max(furthest, elapsed);
          }),
        );
        const windowMs = performance.now() - t0;
        const cpu = process.cpuUsage(cpu0);
        settleTps = settles / (windowMs / 1000);
        await verifyLedger(`${clients} clients in one process`, sessions, settles);
        // The client's CPU over the window, in cores: how near the client itself is to its ceiling on this machine.
        process.stdout.write(
          `clients=${clients}, one process: ${settles} settles, client CPU ${((cpu.user + cpu.system) / 1000 / windowMs).toFixed(2)} cores, ledger verified (${loadavg()[0]?.toFixed(1)} load)\n`,
        );
      };

      const workers = Math.min(clients, 2);
      let workersTps = Number.NaN;
      const workerProcesses = async () => {
        if (clients < 2) return;
        const workerSessions = await openSessions(`${clients}_w`, clients, started);
        const run = await settleFromWorkers(workers, workerSessions, later);
        workersTps = run.tps;
        process.stdout.write(
          `clients=${clients}, ${workers} processes: ${run.settles} settles, client CPU ${run.cores.toFixed(2)} cores, ledger verified for every worker (${loadavg()[0]?.toFixed(1)} load)\n`,
        );
      };
      // Either order, so that runs alternating it show whether going second (a larger ledger, vacuum behind) costs anything.
      for (const run of workersFirst ? [workerProcesses, oneProcess] : [oneProcess, workerProcesses]) await run();

      await new Promise((resolve) => setTimeout(resolve, 500));
      const pgbenchTps = pgbench(clients).tps;
      // pgbench's settles are verified like the service's: a settle that charged nothing (a clock
      // ahead of the session's age, spent lots) would be a cheap no-op and flatter the ceiling.
      // Client n's k-th transaction settles sessions[n] to furthest + k seconds, so all of them
      // together leave the sessions charged clients × furthest + the transactions pgbench counted.
      const pgbenchSettle = pgbench(clients, settleScript(sessions), furthest);
      await verifyLedger(`pgbench's settles at ${clients} clients`, sessions, clients * furthest + pgbenchSettle.processed);
      const pgbenchSettleTps = pgbenchSettle.tps;
      results.push({ clients, settleTps, workers, workersTps, pgbenchTps, pgbenchSettleTps });
    }
    process.stdout.write(
      `\nsettle transactions vs pgbench single-row UPDATE transactions (-j min(clients, 2)), ${seconds} s each, same server, same run\n`,
    );
    process.stdout.write(
      'clients  1 process tx/s  ÷pgbench  min(c,2) processes tx/s  ÷pgbench  pgbench tx/s  pgbench settle tx/s  (its ÷pgbench)\n',
    );
    const cell = (value: number, digits: number, width: number) => (Number.isNaN(value) ? '—' : value.toFixed(digits)).padStart(width);
    for (const r of results) {
      process.stdout.write(
        `${String(r.clients).padStart(7)}  ${cell(r.settleTps, 0, 14)}  ${cell(r.settleTps / r.pgbenchTps, 3, 8)}  ${cell(r.workersTps, 0, 23)}  ${cell(r.workersTps / r.pgbenchTps, 3, 8)}  ${cell(r.pgbenchTps, 0, 12)}  ${cell(r.pgbenchSettleTps, 0, 19)}  ${cell(r.pgbenchSettleTps / r.pgbenchTps, 3, 14)}\n`,
      );
    }
  } finally {
    await deps.close();
    await database.dispose();
  }
}
