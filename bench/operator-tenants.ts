// The Tenant operator against a real kube-apiserver + etcd and the real Postgres:
//   npx tsx bench/operator-tenants.ts                        (100 and 1,000 Tenants, then 1,000 again beside a CPU burner)
//   BENCH_TENANTS=100 BENCH_RUNS=3 BENCH_LOADED=0 npx tsx bench/operator-tenants.ts
//   BENCH_AGENT_POOL=shared …                                (Tenants of the shared agent pool instead of dedicated agents)
// Creates N Tenants at once and measures the time until all are Ready and reconciles per second,
// where a reconcile's time goes (database, registry, workload applies, status write), then resyncs
// the unchanged set and counts the write requests the API server received from the operator (from
// its audit log; must be 0). Prints the operator's memory (this process) after each phase. The last
// run repeats the largest size while another process burns one core (goal: at most 3× the quiet time).
// Each run gets a fresh API server and database.
import { spawn, type ChildProcess } from 'node:child_process';
import { availableParallelism } from 'node:os';
import { createLogger } from '@mindbot/logger';
import type { TestDatabase } from '@mindbot/testing';
import type { Registry } from 'prom-client';
import type { Tenant } from '../operator/src/api/v1alpha1/tenant-types.js';
import {
  metricValue,
  operatorWrites,
  startOperatorEnvironment,
  tenantManifest,
  tenantsOf,
  waitUntil,
} from '../operator/src/testing/operator-harness.js';
import { CpuAccount } from './proc.js';
import { median } from './stats.js';

process.env.TEST_DATABASE_ADMIN_URL ??= process.env.BENCH_DATABASE_ADMIN_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
const sizes = (process.env.BENCH_TENANTS ?? '100,1000').split(',').map(Number);
const runs = Number(process.env.BENCH_RUNS ?? 1);
const workers = Number(process.env.BENCH_WORKERS ?? 16);
// Tenants of the run beside a CPU-burning process; 0 skips it.
const loadedSize = Number(process.env.BENCH_LOADED ?? Math.max(...sizes));

interface StepTotals {
  seconds: number;
  count: number;
}

interface RunResult {
  readyMs: number;
  reconciles: number;
  reconcilesPerSecond: number;
  writesPerTenant: number;
  /** Requests the operator sent per Tenant while creating, by method (reads included). */
  requestsPerTenant: string;
  steps: Map<string, StepTotals>;
  resyncWrites: number;
  resyncMs: number;
  resyncSteps: Map<string, StepTotals>;
  rssReadyMb: number;
  heapReadyMb: number;
  rssResyncMb: number;
  /** CPU milliseconds per Tenant while creating, by process. */
  cpuPerTenantMs: { operator: number; apiServer: number; etcd: number; postgres: number };
}

// `dedicated` (the default plan: each Tenant gets its own agent Deployment, Service, HPA, PDB and LiveKit
// Secret) or `shared` (the plan for small tenants: served by the region's shared agent pool).
const agentPool = process.env.BENCH_AGENT_POOL === 'shared' ? 'shared' : 'dedicated';
const manifest = (i: number) => {
  const slug = `bench-${String(i).padStart(5, '0')}`;
  const displayName = `Bench ${i}`;
  return agentPool === 'shared'
    ? tenantManifest(slug, {
        displayName,
        plan: { name: 'starter', requestsPerMinute: 600, concurrentSessions: 10, maxAgentReplicas: 5, agentPool: 'shared' },
      })
    : tenantManifest(slug, { displayName });
};
const mb = (bytes: number) => bytes / 1024 / 1024;

/** Sum and count of `mindbot_operator_reconcile_step_seconds` per step. */
async function stepTotals(registry: Registry): Promise<Map<string, StepTotals>> {
  const metric = (await registry.getMetricsAsJSON()).find((m) => m.name === 'mindbot_operator_reconcile_step_seconds');
  const values = (metric as { values?: { value: number; metricName?: string; labels: Record<string, string | number> }[] } | undefined)
    ?.values;
  const totals = new Map<string, StepTotals>();
  for (const v of values ?? []) {
    const step = String(v.labels.step);
    const total = totals.get(step) ?? { seconds: 0, count: 0 };
    if (v.metricName?.endsWith('_sum')) total.seconds += v.value;
    else if (v.metricName?.endsWith('_count')) total.count += v.value;
    else continue;
    totals.set(step, total);
  }
  return totals;
}

function since(after: Map<string, StepTotals>, before: Map<string, StepTotals>): Map<string, StepTotals> {
  return new Map(
    [...after].map(([step, t]) => [
      step,
      { seconds: t.seconds - (before.get(step)?.seconds ?? 0), count: t.count - (before.get(step)?.count ?? 0) },
    ]),
  );
}

/** `database 31.2 ms ×1000` per step: mean time of one call and how many calls. */
function describeSteps(steps: Map<string, StepTotals>): string {
  const order = ['finalizer', 'conflicts', 'database', 'registry', 'workload', 'prune', 'status'];
  return [...steps]
    .filter(([, t]) => t.count > 0)
    .sort(([a], [b]) => order.indexOf(a) - order.indexOf(b))
    .map(([step, t]) => `${step} ${((t.seconds / t.count) * 1000).toFixed(1)} ms ×${t.count}`)
    .join(', ');
}

/** Every run's database, dropped when the bench ends so no run creates its files just after another's were deleted. */
const databases: TestDatabase[] = [];

async function run(count: number): Promise<RunResult> {
  const env = await startOperatorEnvironment(createLogger({ name: 'operator', level: process.env.LOG_LEVEL ?? 'error' }), {
    keepDatabase: true,
  });
  databases.push(env.database);
  const { api } = env;
  try {
    const { operator, registry } = await env.startOperator({ workers });

    const writesAtStart = (await operatorWrites(api)).length;
    const methods = ['GET', 'POST', 'PATCH', 'PUT', 'DELETE'];
    const requestsBy = async () => Promise.all(methods.map((method) => metricValue(registry, 'rest_client_requests_total', { method })));
    const requestsAtStart = await requestsBy();
    const stepsAtStart = await stepTotals(registry);
    // Where the CPU went: this process (the operator), the API server, etcd, and the Postgres
    // backends of this run's database (not the server's background processes).
    const backends = async () =>
      (await env.db.pool.query<{ pid: number }>('SELECT pid FROM pg_stat_activity WHERE datname = current_database()')).rows.map(
        (r) => r.pid,
      );
    const { apiServer, etcd } = api.processIds();
    const cpu = {
      apiServer: new CpuAccount(apiServer === undefined ? [] : [apiServer]),
      etcd: new CpuAccount(etcd === undefined ? [] : [etcd]),
      postgres: new CpuAccount(await backends()),
    };
    const sampleCpu = async () => {
      if (apiServer !== undefined) cpu.apiServer.sample([apiServer]);
      if (etcd !== undefined) cpu.etcd.sample([etcd]);
      cpu.postgres.sample(await backends());
    };
    const cpuSampler = setInterval(() => void sampleCpu(), 1_000);
    const operatorCpuAtStart = process.cpuUsage();
    const started = performance.now();
    const reconcilesBefore = await metricValue(registry, 'controller_runtime_reconcile_total');
    for (let i = 0; i < count; i += 25) {
      await Promise.all(Array.from({ length: Math.min(25, count - i) }, (_, j) => tenantsOf(api).create(manifest(i + j))));
    }
    // Watched through the operator's own Tenant cache: polling LISTs of 1,000 Tenants would load the API server being measured.
    const readyCount = () =>
      operator.controller.tenants.list().filter((t: Tenant) => t.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True'))
        .length;
    // A stuck run says why: the most common Ready message of the Tenants not yet Ready.
    const commonestBlocker = () => {
      const messages = new Map<string, number>();
      for (const tenant of operator.controller.tenants.list()) {
        const ready = tenant.status?.conditions?.find((c) => c.type === 'Ready');
        if (ready?.status === 'True') continue;
        const message = ready ? `${ready.reason}: ${ready.message}` : 'not reconciled yet';
        messages.set(message, (messages.get(message) ?? 0) + 1);
      }
      const [top] = [...messages].sort((a, b) => b[1] - a[1]);
      return top ? `; ${top[1]} × ${top[0]}` : '';
    };
    const progress = setInterval(() => {
      void metricValue(registry, 'controller_runtime_reconcile_total').then((done) =>
        process.stderr.write(
          `  … ${((performance.now() - started) / 1000).toFixed(0)} s: ${readyCount()}/${count} Ready, ${done - reconcilesBefore} reconciles, ` +
            `${operator.controller.queueLength} queued${commonestBlocker()}\n`,
        ),
      );
    }, 10_000);
    try {
      await waitUntil(`all ${count} Tenants Ready`, () => Promise.resolve(readyCount() === count), 30 * 60_000);
    } finally {
      clearInterval(progress);
    }
    const readyMs = performance.now() - started;
    clearInterval(cpuSampler);
    await sampleCpu();
    const operatorCpu = process.cpuUsage(operatorCpuAtStart);
    const perTenantMs = (seconds: number) => (seconds * 1000) / count;
    const cpuPerTenantMs = {
      operator: (operatorCpu.user + operatorCpu.system) / 1000 / count,
      apiServer: perTenantMs(cpu.apiServer.seconds),
      etcd: perTenantMs(cpu.etcd.seconds),
      postgres: perTenantMs(cpu.postgres.seconds),
    };
    const reconciles = (await metricValue(registry, 'controller_runtime_reconcile_total')) - reconcilesBefore;
    const memoryReady = process.memoryUsage();

    // Let the echoes of the last applies come back and be reconciled, so the resync starts from rest.
    await waitUntil('the queue to drain', () => Promise.resolve(operator.controller.queueLength === 0), 5 * 60_000);
    await new Promise((r) => setTimeout(r, 2_000));
    const writes = async () => (await operatorWrites(api)).length;
    const writesBefore = await writes();
    const requestsCreating = (await requestsBy()).map((n, i) => (n - (requestsAtStart[i] ?? 0)) / count);
    const stepsBefore = await stepTotals(registry);
    const before = await metricValue(registry, 'controller_runtime_reconcile_total');
    const resyncStarted = performance.now();
    operator.controller.resyncAll();
    await waitUntil(
      'the resync',
      async () => (await metricValue(registry, 'controller_runtime_reconcile_total')) >= before + count,
      30 * 60_000,
    );
    const resyncMs = performance.now() - resyncStarted;
    await new Promise((r) => setTimeout(r, 1_000));
    return {
      readyMs,
      reconciles,
      reconcilesPerSecond: reconciles / (readyMs / 1000),
      writesPerTenant: (writesBefore - writesAtStart) / count,
      requestsPerTenant: methods
        .map((method, i) => `${method} ${(requestsCreating[i] ?? 0).toFixed(1)}`)
        .filter((entry) => !entry.endsWith(' 0.0'))
        .join(', '),
      steps: since(stepsBefore, stepsAtStart),
      resyncWrites: (await writes()) - writesBefore,
      resyncMs,
      resyncSteps: since(await stepTotals(registry), stepsBefore),
      rssReadyMb: mb(memoryReady.rss),
      heapReadyMb: mb(memoryReady.heapUsed),
      rssResyncMb: mb(process.memoryUsage().rss),
      cpuPerTenantMs,
    };
  } finally {
    await env.close();
  }
}

/** `operator 21 ms, …, total 180 ms`, and the time that CPU alone needs on this machine's cores. */
function describeCpu(perTenant: RunResult['cpuPerTenantMs']): string {
  const total = perTenant.operator + perTenant.apiServer + perTenant.etcd + perTenant.postgres;
  const cores = availableParallelism();
  return (
    `operator ${perTenant.operator.toFixed(0)} ms, kube-apiserver ${perTenant.apiServer.toFixed(0)} ms, etcd ${perTenant.etcd.toFixed(0)} ms, ` +
    `Postgres backends ${perTenant.postgres.toFixed(0)} ms; total ${total.toFixed(0)} ms = at least ${(total / cores).toFixed(0)} s ` +
    `per 1,000 Tenants on ${cores} cores`
  );
}

function print(label: string, result: RunResult): void {
  process.stdout.write(
    `  ${label}: all Ready in ${(result.readyMs / 1000).toFixed(1)} s, ${result.reconciles} reconciles (${result.reconcilesPerSecond.toFixed(1)}/s), ` +
      `${result.writesPerTenant.toFixed(1)} API writes per Tenant (requests sent: ${result.requestsPerTenant}); resync of the unchanged set ${(result.resyncMs / 1000).toFixed(2)} s ` +
      `with ${result.resyncWrites} write requests; operator memory ${result.rssReadyMb.toFixed(0)} MB RSS ` +
      `(${result.heapReadyMb.toFixed(0)} MB heap) when Ready, ${result.rssResyncMb.toFixed(0)} MB after the resync\n` +
      `    per call while creating: ${describeSteps(result.steps)}\n` +
      `    CPU per Tenant while creating: ${describeCpu(result.cpuPerTenantMs)}\n` +
      `    per call in the resync:  ${describeSteps(result.resyncSteps)}\n`,
  );
}

try {
  const quiet = new Map<number, number>();
  for (const size of sizes) {
    const results: RunResult[] = [];
    for (let i = 0; i < runs; i++) {
      const result = await run(size);
      results.push(result);
      print(`${size} Tenants, run ${i + 1}`, result);
    }
    quiet.set(size, median(results.map((r) => r.readyMs)));
    process.stdout.write(
      `${size} Tenants (${agentPool} agents, median of ${results.length}, ${workers} workers): time to all Ready ${(median(results.map((r) => r.readyMs)) / 1000).toFixed(1)} s; ` +
        `${median(results.map((r) => r.reconcilesPerSecond)).toFixed(1)} reconciles/s; resync ${(median(results.map((r) => r.resyncMs)) / 1000).toFixed(2)} s, ` +
        `${median(results.map((r) => r.resyncWrites))} write requests; ${median(results.map((r) => r.rssResyncMb)).toFixed(0)} MB RSS\n`,
    );
  }

  if (loadedSize > 0) {
    // Another process keeps one of the machine's cores busy for the whole run (as a build or a noisy neighbour would).
    const burner: ChildProcess = spawn(process.execPath, ['-e', 'for (;;) {}'], { stdio: 'ignore' });
    try {
      const result = await run(loadedSize);
      print(`${loadedSize} Tenants beside a process burning one core`, result);
      const reference = quiet.get(loadedSize);
      process.stdout.write(
        `${loadedSize} Tenants under load: all Ready in ${(result.readyMs / 1000).toFixed(1)} s` +
          (reference === undefined ? '\n' : ` = ${(result.readyMs / reference).toFixed(2)}× the quiet run (goal ≤ 3×)\n`),
      );
    } finally {
      burner.kill('SIGKILL');
    }
  }
} finally {
  for (const database of databases) await database.dispose();
}
