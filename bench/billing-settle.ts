// Settle transactions per second (a heartbeat that charges one more second: lock the session, lock
// the user's lots, write the ledger entry, update lot and session) at 1, 8 and 32 concurrent
// clients, beside pgbench running a single-row UPDATE transaction with the same client counts on
// the same server in the same run. The ledger is verified after each run. Then pgbench runs the
// settle itself (BEGIN and the SET LOCALs, settle_session, COMMIT: the statements the heartbeat
// sends) on the same sessions: the ceiling of any client, so the last column shows how much of
// the gap to the single-row update is the settle's own SQL work.
//   npx tsx bench/billing-settle.ts        (BENCH_SECONDS=3 per run by default)
import { execFileSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { roleNameOf, schemaNameOf } from '@mindbot/tenancy';
import { heartbeat, startSession, type MeteringSettings } from '../services/billing/src/domain/metering.js';
import { BENCH_TENANT, billingBenchSetup, grantSeconds, ledgerProblems } from './billing-common.js';

const seconds = Number(process.env.BENCH_SECONDS ?? 3);
const clientCounts = (process.env.BENCH_CLIENTS ?? '1,8,32').split(',').map(Number);
const settings: MeteringSettings = { chunkSeconds: 60, warnSeconds: 120, heartbeatTimeoutSeconds: 90, clockToleranceSeconds: 15 };

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
    `SELECT * FROM settle_session((ARRAY[${ids}])[:client_id + 1], :e, now() + interval '30 days', NULL, 60, 15, false, NULL);\n` +
    'COMMIT;\n'
  );
}

function pgbench(clients: number, scriptText = UPDATE_SCRIPT, elapsed = 0): number {
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
  const match = /tps = ([\d.]+)/.exec(out);
  return match?.[1] ? Number(match[1]) : Number.NaN;
}

try {
  await deps.pool.query('CREATE TABLE public.bench_accounts (id int PRIMARY KEY, balance int NOT NULL)');
  await deps.pool.query('INSERT INTO public.bench_accounts SELECT g, 1000000000 FROM generate_series(1, 64) g');
  const results: { clients: number; settleTps: number; pgbenchTps: number; pgbenchSettleTps: number; settles: number }[] = [];
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
    let furthest = 0;
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
        furthest = Math.max(furthest, elapsed);
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
    await new Promise((resolve) => setTimeout(resolve, 500));
    const pgbenchTps = pgbench(clients);
    const pgbenchSettleTps = pgbench(clients, settleScript(sessions), furthest);
    results.push({ clients, settleTps, pgbenchTps, pgbenchSettleTps, settles });
    process.stdout.write(
      `clients=${clients}: ${settles} settles, ledger verified (${usage._count} entries = ${String(-usage._sum.seconds)} s charged)\n`,
    );
  }
  process.stdout.write(`\nsettle transactions vs pgbench single-row UPDATE transactions, ${seconds} s each, same server, same run\n`);
  process.stdout.write('clients  settle tx/s  pgbench tx/s  settle/pgbench  pgbench settle tx/s  (its /pgbench)\n');
  for (const r of results) {
    process.stdout.write(
      `${String(r.clients).padStart(7)}  ${r.settleTps.toFixed(0).padStart(11)}  ${r.pgbenchTps.toFixed(0).padStart(12)}  ${(r.settleTps / r.pgbenchTps).toFixed(3).padStart(14)}  ${r.pgbenchSettleTps.toFixed(0).padStart(19)}  ${(r.pgbenchSettleTps / r.pgbenchTps).toFixed(3).padStart(15)}\n`,
    );
  }
} finally {
  await deps.close();
  await database.dispose();
}
