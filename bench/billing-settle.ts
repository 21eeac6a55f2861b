// Settle transactions per second (a heartbeat that charges one more second: lock the session, lock
// the user's lots, write the ledger entry, update lot and session) at 1, 8 and 32 concurrent
// clients, beside pgbench running a single-row UPDATE transaction with the same client counts on
// the same server in the same run. The ledger is verified after each run.
//   npx tsx bench/billing-settle.ts        (BENCH_SECONDS=3 per run by default)
import { execFileSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { heartbeat, startSession, type MeteringSettings } from '../services/billing/src/domain/metering.js';
import { BENCH_TENANT, billingBenchSetup, grantSeconds, ledgerProblems } from './billing-common.js';

const seconds = Number(process.env.BENCH_SECONDS ?? 3);
const clientCounts = (process.env.BENCH_CLIENTS ?? '1,8,32').split(',').map(Number);
const settings: MeteringSettings = { chunkSeconds: 60, warnSeconds: 120, heartbeatTimeoutSeconds: 90, clockToleranceSeconds: 15 };

const { database, deps } = await billingBenchSetup(Math.max(...clientCounts) + 2);
const scope = deps.tenants.forTenant(BENCH_TENANT);

function pgbench(clients: number): number {
  const dir = mkdtempSync(join(tmpdir(), 'billing-pgbench-'));
  const script = join(dir, 'update.sql');
  writeFileSync(script, '\\set id random(1, :rows)\nBEGIN;\nUPDATE bench_accounts SET balance = balance - 1 WHERE id = :id;\nCOMMIT;\n');
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
      '-f',
      script,
      url.pathname.slice(1),
    ],
    { encoding: 'utf8', env: { ...process.env, PGPASSWORD: decodeURIComponent(url.password) } },
  );
  const match = /tps = ([\d.]+)/.exec(out);
  return match?.[1] ? Number(match[1]) : Number.NaN;
}

try {
  await deps.pool.query('CREATE TABLE public.bench_accounts (id int PRIMARY KEY, balance int NOT NULL)');
  await deps.pool.query('INSERT INTO public.bench_accounts SELECT g, 1000000000 FROM generate_series(1, 64) g');
  const results: { clients: number; settleTps: number; pgbenchTps: number; settles: number }[] = [];
  for (const clients of clientCounts) {
    const started = new Date();
    // One user and session per client (the common case: sessions of different users in parallel).
    const sessions: string[] = [];
    for (let i = 0; i < clients; i++) {
      const userId = `usr_bench_${clients}_${i}`;
      await scope.transaction((tx) => grantSeconds(tx, userId, 1_000_000, started));
      // Sessions of earlier runs stay open: the plan limit must not be what is measured.
      const s = await startSession(scope, { userId, startKey: `bench-${clients}-${i}`, persona: null }, settings, started, {
        tenant: BENCH_TENANT,
        concurrentSessions: 1_000_000,
      });
      if (!s.ok) throw new Error(`start failed: ${s.failure}`);
      sessions.push(s.value.sessionId);
    }
    const later = new Date(started.getTime() + 30 * 86_400_000); // heartbeats are never ahead of this clock
    let settles = 0;
    const deadline = performance.now() + seconds * 1000;
    const t0 = performance.now();
    await Promise.all(
      sessions.map(async (sessionId) => {
        let elapsed = 0;
        while (performance.now() < deadline) {
          elapsed++;
          const r = await heartbeat(scope, { sessionId, elapsedSeconds: elapsed }, settings, later);
          if (!r.ok || r.value.chargedSeconds !== elapsed) throw new Error(`settle went wrong: ${JSON.stringify(r)}`);
          settles++;
        }
      }),
    );
    const settleTps = settles / ((performance.now() - t0) / 1000);
    const problems = await scope.transaction((tx) => ledgerProblems(tx));
    const usage = await scope.transaction((tx) =>
      tx.ledgerEntry.aggregate({ where: { kind: 'usage', sessionId: { in: sessions } }, _sum: { seconds: true }, _count: true }),
    );
    if (problems.length > 0 || usage._sum.seconds !== -settles || usage._count !== settles) {
      throw new Error(
        `ledger check failed after ${clients} clients: ${problems.length} problems, ${usage._count} entries summing ${usage._sum.seconds} for ${settles} settles`,
      );
    }
    const pgbenchTps = pgbench(clients);
    results.push({ clients, settleTps, pgbenchTps, settles });
    process.stdout.write(
      `clients=${clients}: ${settles} settles, ledger verified (${usage._count} entries = ${String(-usage._sum.seconds)} s charged)\n`,
    );
  }
  process.stdout.write(`\nsettle transactions vs pgbench single-row UPDATE transactions, ${seconds} s each, same server, same run\n`);
  process.stdout.write('clients  settle tx/s  pgbench tx/s  settle/pgbench\n');
  for (const r of results) {
    process.stdout.write(
      `${String(r.clients).padStart(7)}  ${r.settleTps.toFixed(0).padStart(11)}  ${r.pgbenchTps.toFixed(0).padStart(12)}  ${(r.settleTps / r.pgbenchTps).toFixed(3).padStart(14)}\n`,
    );
  }
} finally {
  await deps.close();
  await database.dispose();
}
