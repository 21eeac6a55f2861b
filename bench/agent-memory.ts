// Idle memory of one agent worker (services/agent), as the image runs it (`node dist/main.js`, the
// bundle `npm run build` writes, NODE_ENV=production), for the capacity plan's shared pool against
// dedicated workers: the worker process and the job processes it keeps warm (@livekit/agents forks
// one process per job; AGENT_IDLE_PROCESSES of them wait ready), for several numbers of warm
// processes and both kinds of worker (shared pool: no AGENT_TENANT; dedicated: AGENT_TENANT set).
// Providers are the offline ones (AGENT_LLM=scripted, AGENT_STT=none, AGENT_TTS=none).
// With livekit-server built (npm run tools) each worker registers with a local one first; without
// it the worker is measured before registering (its job processes start before it connects), and
// the output says so. Memory grows per call on top of this: `npm run bench:agent` (part 3) measures
// that with real calls.
//   npx tsx bench/agent-memory.ts   (BENCH_IDLE_PROCESSES=0,1,2,4, BENCH_AGENT_BUILD=0 to use an existing dist/)
import { existsSync, readFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { freePort } from '@mindbot/testing';
import { bundle } from '../scripts/build/bundle.js';
import { mainBundle, programs } from '../scripts/build/programs.js';
import { LIVEKIT_DEV_KEY, LIVEKIT_DEV_SECRET } from '../services/gateway/src/testing/harness.js';
import { startAgentProcess, type AgentProcess } from '../test/support/agent-process.js';
import { livekitServerBinary, startLiveKit, type LiveKitServer } from '../services/gateway/src/testing/livekit.js';
import { procKb, procStat, processTree } from './proc.js';
import { median } from './stats.js';

const root = fileURLToPath(new URL('..', import.meta.url));
const IDLE_PROCESSES = (process.env.BENCH_IDLE_PROCESSES ?? '0,1,2,4').split(',').map(Number);
/** The operator's dedicated agents leave AGENT_IDLE_PROCESSES at its default. */
const DEFAULT_IDLE_PROCESSES = 1;
const SAMPLES = 5;

const load = () => `load ${loadavg()[0]?.toFixed(1) ?? '?'}`;
const sleep = (delayMs: number) => new Promise<void>((resolve) => setTimeout(resolve, delayMs));
const fail = (message: string): never => {
  throw new Error(message);
};

// ---- processes, from /proc -----------------------------------------------------------------

type Kind = 'worker' | 'job' | 'inference' | 'other';

function kindOf(pid: number, worker: number): Kind {
  if (pid === worker) return 'worker';
  const args = (() => {
    try {
      return readFileSync(`/proc/${pid}/cmdline`, 'utf8');
    } catch {
      return '';
    }
  })();
  if (args.includes('job_proc')) return 'job';
  if (args.includes('inference_proc')) return 'inference';
  return 'other';
}

interface Memory {
  /** VmRSS: shared pages counted in every process that maps them. */
  rssMb: number;
  /** Pss: shared pages divided among the processes that map them; the sum is what the tree costs. */
  pssMb: number;
}

interface TreeSample {
  byKind: Record<Kind, Memory & { processes: number }>;
  total: Memory & { processes: number };
}

function sampleTree(worker: number): TreeSample {
  const empty = () => ({ processes: 0, rssMb: 0, pssMb: 0 });
  const byKind: Record<Kind, Memory & { processes: number }> = { worker: empty(), job: empty(), inference: empty(), other: empty() };
  const total = empty();
  for (const pid of processTree(worker)) {
    const rss = procKb(pid, 'status', 'VmRSS') / 1024;
    const pss = procKb(pid, 'smaps_rollup', 'Pss') / 1024;
    for (const m of [byKind[kindOf(pid, worker)], total]) {
      m.processes++;
      m.rssMb += rss;
      m.pssMb += pss;
    }
  }
  return { byKind, total };
}

/** Until the tree holds `jobs` job processes and none of it used the CPU for `quietMs`. */
async function settled(worker: number, jobs: number, timeoutMs = 120_000, quietMs = 1_000): Promise<number> {
  const started = performance.now();
  const ticks = () =>
    processTree(worker)
      .map((pid) => procStat(pid)?.cpuTicks ?? 0)
      .reduce((a, b) => a + b, 0);
  while (performance.now() - started < timeoutMs) {
    const before = ticks();
    await sleep(quietMs);
    const count = processTree(worker).filter((pid) => kindOf(pid, worker) === 'job').length;
    if (count === jobs && ticks() - before <= 2) return performance.now() - started;
  }
  return fail(`the worker did not settle with ${jobs} idle job processes in ${timeoutMs / 1000} s`);
}

// ---- the worker ------------------------------------------------------------------------------

/** The worker as the image runs it (the built bundle), with offline providers; without livekit-server, a port nothing listens on. */
async function startWorker(env: Record<string, string>, livekit: LiveKitServer | undefined): Promise<AgentProcess> {
  return startAgentProcess(
    {
      LOG_LEVEL: 'warn',
      // Without livekit-server the worker retries and is measured meanwhile.
      LIVEKIT_URL: livekit?.url ?? `ws://127.0.0.1:${await freePort()}`,
      LIVEKIT_API_KEY: LIVEKIT_DEV_KEY,
      LIVEKIT_API_SECRET: LIVEKIT_DEV_SECRET,
      BILLING_URL: 'http://127.0.0.1:9',
      AGENT_LLM: 'scripted',
      AGENT_STT: 'none',
      AGENT_TTS: 'none',
      ...env,
    },
    { args: ['--enable-source-maps', join(root, mainBundle(root, 'agent'))], cwd: join(root, 'services/agent') },
  );
}

// ---- the run ---------------------------------------------------------------------------------

if (process.env.BENCH_AGENT_BUILD !== '0') {
  const started = performance.now();
  await bundle(
    root,
    programs(root).filter((p) => p.name === 'agent'),
  );
  console.log(`built ${mainBundle(root, 'agent')} (${Math.round(performance.now() - started)} ms)`);
} else if (!existsSync(join(root, mainBundle(root, 'agent')))) {
  fail(`${mainBundle(root, 'agent')} is missing: run without BENCH_AGENT_BUILD=0`);
}

let livekit: LiveKitServer | undefined;
try {
  livekitServerBinary();
  livekit = await startLiveKit({ apiKey: LIVEKIT_DEV_KEY, apiSecret: LIVEKIT_DEV_SECRET });
} catch (error) {
  console.log(
    `livekit-server not available (${error instanceof Error ? error.message : String(error)}): workers are measured before they register`,
  );
}

const configurations = [
  ...IDLE_PROCESSES.map((idle) => ({ label: `shared pool, ${idle} warm job processes`, env: { AGENT_IDLE_PROCESSES: String(idle) } })),
  {
    label: `dedicated (AGENT_TENANT), ${DEFAULT_IDLE_PROCESSES} warm job process(es)`,
    env: { AGENT_TENANT: 'bench-tenant', AGENT_IDLE_PROCESSES: String(DEFAULT_IDLE_PROCESSES) },
  },
];

const results: { label: string; idle: number; sample: TreeSample; registered: boolean; settleMs: number; load: string }[] = [];
try {
  for (const configuration of configurations) {
    const worker = await startWorker(configuration.env, livekit);
    try {
      const registered = livekit !== undefined;
      if (registered) await worker.registered();
      const idle = Number(configuration.env.AGENT_IDLE_PROCESSES);
      const settleMs = await settled(worker.pid, idle);
      const samples: TreeSample[] = [];
      for (let i = 0; i < SAMPLES; i++) {
        samples.push(sampleTree(worker.pid));
        await sleep(500);
      }
      // The sample with the median total PSS, so the parts add up.
      const sample = [...samples].sort((a, b) => a.total.pssMb - b.total.pssMb)[Math.floor(SAMPLES / 2)] ?? fail('no sample');
      results.push({ label: configuration.label, idle, sample, registered, settleMs, load: load() });
    } finally {
      await worker.stop();
    }
  }
} finally {
  await livekit?.stop();
}

const mb = (value: number) => `${value.toFixed(0).padStart(5)} MB`;
console.log(`\nIdle agent worker, ${SAMPLES} samples each (the median by PSS): RSS / PSS per part`);
for (const r of results) {
  const { byKind, total } = r.sample;
  const job = byKind.job.processes > 0 ? `, job processes ${byKind.job.processes}: ${mb(byKind.job.rssMb)} / ${mb(byKind.job.pssMb)}` : '';
  const inference = byKind.inference.processes > 0 ? `, inference ${mb(byKind.inference.rssMb)} / ${mb(byKind.inference.pssMb)}` : '';
  const other =
    byKind.other.processes > 0 ? `, other ${byKind.other.processes}: ${mb(byKind.other.rssMb)} / ${mb(byKind.other.pssMb)}` : '';
  console.log(
    `  ${r.label.padEnd(44)} total ${total.processes} processes ${mb(total.rssMb)} / ${mb(total.pssMb)}  (worker ${mb(byKind.worker.rssMb)} / ${mb(byKind.worker.pssMb)}${job}${inference}${other})` +
      `  ${r.registered ? 'registered' : 'NOT registered'}, settled in ${(r.settleMs / 1000).toFixed(1)} s, ${r.load}`,
  );
}
const shared = results.filter((r) => r.label.startsWith('shared'));
if (shared.length >= 2) {
  // Least squares of total PSS over the number of warm job processes: what one more costs.
  const xs = shared.map((r) => r.idle);
  const ys = shared.map((r) => r.sample.total.pssMb);
  const mx = xs.reduce((a, b) => a + b, 0) / xs.length;
  const my = ys.reduce((a, b) => a + b, 0) / ys.length;
  const slope = xs.reduce((s, x, i) => s + (x - mx) * ((ys[i] ?? my) - my), 0) / xs.reduce((s, x) => s + (x - mx) ** 2, 0);
  console.log(`  one more warm job process: +${slope.toFixed(0)} MB PSS (least squares over ${xs.join(', ')} processes)`);
  const dedicated = results.find((r) => r.label.startsWith('dedicated'));
  if (dedicated) {
    const each = dedicated.sample.total.pssMb;
    console.log(
      `  dedicated workers for 10,000 tenants, idle: 10,000 × ${each.toFixed(0)} MB = ${((10_000 * each) / 1024 / 1024).toFixed(2)} TiB PSS ` +
        `(median job process RSS ${median(shared.filter((r) => r.sample.byKind.job.processes > 0).map((r) => r.sample.byKind.job.rssMb / r.sample.byKind.job.processes)).toFixed(0)} MB)`,
    );
  }
}
