// The Tenant operator against a real kube-apiserver + etcd and the real Postgres:
//   npx tsx bench/operator-tenants.ts                        (100 and 1,000 Tenants, 3 runs each; ~12 min)
//   BENCH_TENANTS=100 BENCH_RUNS=5 npx tsx bench/operator-tenants.ts
// Creates N Tenants at once, measures the time until all are Ready and reconciles per second,
// then resyncs the unchanged set and counts the write requests the API server received from the
// operator (from its audit log; must be 0). Each run gets a fresh API server and database.
import { createLogger } from '@mindbot/logger';
import type { Tenant } from '../operator/src/api/v1alpha1/tenant-types.js';
import {
  metricValue,
  operatorWrites,
  startOperatorEnvironment,
  tenantManifest,
  tenantsOf,
  waitUntil,
} from '../operator/src/testing/operator-harness.js';
import { median } from './stats.js';

process.env.TEST_DATABASE_ADMIN_URL ??= process.env.BENCH_DATABASE_ADMIN_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
const sizes = (process.env.BENCH_TENANTS ?? '100,1000').split(',').map(Number);
const runs = Number(process.env.BENCH_RUNS ?? 3);
const workers = Number(process.env.BENCH_WORKERS ?? 4);

interface RunResult {
  readyMs: number;
  reconcilesPerSecond: number;
  resyncWrites: number;
  resyncMs: number;
}

const manifest = (i: number) => tenantManifest(`bench-${String(i).padStart(5, '0')}`, { displayName: `Bench ${i}` });

async function run(count: number): Promise<RunResult> {
  const env = await startOperatorEnvironment(createLogger({ name: 'operator', level: process.env.LOG_LEVEL ?? 'error' }));
  const { api } = env;
  try {
    const { operator, registry } = await env.startOperator({ workers });

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
    const reconciles = (await metricValue(registry, 'controller_runtime_reconcile_total')) - reconcilesBefore;

    await new Promise((r) => setTimeout(r, 2_000));
    const writes = async () => (await operatorWrites(api)).length;
    const writesBefore = await writes();
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
    return { readyMs, reconcilesPerSecond: reconciles / (readyMs / 1000), resyncWrites: (await writes()) - writesBefore, resyncMs };
  } finally {
    await env.close();
  }
}

for (const size of sizes) {
  const results: RunResult[] = [];
  for (let i = 0; i < runs; i++) {
    const result = await run(size);
    results.push(result);
    process.stdout.write(
      `  ${size} Tenants, run ${i + 1}: all Ready in ${(result.readyMs / 1000).toFixed(1)} s, ${result.reconcilesPerSecond.toFixed(1)} reconciles/s, ` +
        `resync of the unchanged set ${(result.resyncMs / 1000).toFixed(2)} s with ${result.resyncWrites} write requests\n`,
    );
  }
  process.stdout.write(
    `${size} Tenants (median of ${results.length}, ${workers} workers): time to all Ready ${(median(results.map((r) => r.readyMs)) / 1000).toFixed(1)} s; ` +
      `${median(results.map((r) => r.reconcilesPerSecond)).toFixed(1)} reconciles/s; resync ${(median(results.map((r) => r.resyncMs)) / 1000).toFixed(2)} s, ` +
      `${median(results.map((r) => r.resyncWrites))} write requests\n`,
  );
}
