// Start-up time and resident memory, TypeScript through tsx (as before) against the compiled bundles
// (as the image runs them now, docs/adr/0054-compiled-javascript-in-production.md), on this machine:
//   - billing: spawn → GET /healthz answering 200, and the process's RSS a second later;
//   - the agent worker: spawn → /healthz, and the RSS of its warm job process once that process has
//     imported the job entry (each call runs in one; no LiveKit server needed for that).
// tsx runs twice: with an empty compile cache (a new pod: the image's /tmp is an emptyDir) and with the
// cache of a previous start (a restart in the same pod). Runs are interleaved so machine load hits all alike.
//   npm run bench:startup    (BENCH_RUNS=5 billing starts per variant, BENCH_AGENT_RUNS=3)
import { mkdtemp, rm } from 'node:fs/promises';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { createTestDatabase, freePort } from '@mindbot/testing';
import { mainBundle, programs } from '../scripts/build/programs.js';
import {
  agentEnv,
  billingEnv,
  buildPrograms,
  compiled,
  initializedJobProcess,
  repoRoot,
  residentBytes,
  startProgram,
  underTsx,
  type ProgramProcess,
} from '../test/support/compiled-programs.js';
import { median } from './stats.js';

const RUNS = Number(process.env.BENCH_RUNS ?? 5);
const AGENT_RUNS = Number(process.env.BENCH_AGENT_RUNS ?? 3);
const MB = 1024 * 1024;

type Variant = 'tsx, empty cache' | 'tsx, warm cache' | 'compiled';
const VARIANTS: Variant[] = ['tsx, empty cache', 'tsx, warm cache', 'compiled'];

interface Sample {
  startMs: number;
  rssBytes: number;
}

const sourceOf = (name: string) => {
  const program = programs(repoRoot).find((p) => p.name === name);
  return `${program?.workspace ?? '?'}/${program?.entries[0] ?? '?'}`;
};
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** tsx keeps its compile cache under the temporary directory: one per run (empty) or one shared, warmed first (warm). */
async function nodeArgsAndTmp(variant: Variant, name: string, warmTmp: string): Promise<{ nodeArgs: string[]; tmp: string; own: boolean }> {
  if (variant === 'compiled') return { nodeArgs: compiled(mainBundle(repoRoot, name)), tmp: warmTmp, own: false };
  if (variant === 'tsx, warm cache') return { nodeArgs: underTsx(sourceOf(name)), tmp: warmTmp, own: false };
  return { nodeArgs: underTsx(sourceOf(name)), tmp: await mkdtemp(join(tmpdir(), 'mindbot-bench-tsx-')), own: true };
}

async function measure(
  variant: Variant,
  name: string,
  warmTmp: string,
  env: Record<string, string>,
  settle: (program: ProgramProcess) => Promise<number>,
): Promise<Sample> {
  const { nodeArgs, tmp, own } = await nodeArgsAndTmp(variant, name, warmTmp);
  const started = performance.now();
  const program = startProgram({ nodeArgs, port: await freePort(), env: { ...env, TMPDIR: tmp } });
  try {
    await program.healthy(120_000);
    const startMs = performance.now() - started;
    return { startMs, rssBytes: await settle(program) };
  } finally {
    await program.stop();
    if (own) await rm(tmp, { recursive: true, force: true });
  }
}

async function billingRss(program: ProgramProcess): Promise<number> {
  await sleep(1_000);
  return (await residentBytes(program.child.pid ?? 0)) ?? Number.NaN;
}

async function jobProcessRss(program: ProgramProcess): Promise<number> {
  const deadline = Date.now() + 120_000;
  for (;;) {
    const job = await initializedJobProcess(program);
    if (job !== undefined) {
      await sleep(1_000);
      return (await residentBytes(job.pid)) ?? Number.NaN;
    }
    if (program.child.exitCode !== null || Date.now() > deadline) {
      throw new Error(`no job process initialized:\n${program.output.slice(-30).join('\n')}`);
    }
    await sleep(200);
  }
}

function report(title: string, memory: string, samples: Map<Variant, Sample[]>): void {
  const row = (variant: Variant) => {
    const s = samples.get(variant) ?? [];
    return { start: median(s.map((x) => x.startMs)), rss: median(s.map((x) => x.rssBytes)) };
  };
  console.log(`\n${title} (medians of ${samples.get('compiled')?.length ?? 0} runs)`);
  console.log(`  ${'variant'.padEnd(18)} ${'spawn → /healthz'.padStart(17)} ${memory.padStart(22)}`);
  for (const variant of VARIANTS) {
    const { start, rss } = row(variant);
    console.log(`  ${variant.padEnd(18)} ${`${start.toFixed(0)} ms`.padStart(17)} ${`${(rss / MB).toFixed(1)} MB`.padStart(22)}`);
  }
  const after = row('compiled');
  for (const before of ['tsx, empty cache', 'tsx, warm cache'] as const) {
    const b = row(before);
    console.log(
      `  compiled / ${before}: start-up ×${(after.start / b.start).toFixed(2)}, memory ×${(after.rss / b.rss).toFixed(2)}` +
        ` (${((after.rss - b.rss) / MB).toFixed(1)} MB)`,
    );
  }
}

console.log(
  `Node ${process.version}, ${cpus().length} CPUs, load average ${loadavg()
    .map((l) => l.toFixed(2))
    .join(' ')}`,
);
const built = performance.now();
await buildPrograms();
console.log(`npm run build: ${(performance.now() - built).toFixed(0)} ms`);

const db = await createTestDatabase();
const warmTmp = await mkdtemp(join(tmpdir(), 'mindbot-bench-tsx-warm-'));
try {
  const billing = new Map<Variant, Sample[]>(VARIANTS.map((v) => [v, []]));
  // Warms tsx's shared cache (billing and the agent), not measured.
  await measure('tsx, warm cache', 'billing', warmTmp, billingEnv(db.url), () => Promise.resolve(0));
  for (let run = 0; run < RUNS; run++) {
    for (const variant of VARIANTS) billing.get(variant)?.push(await measure(variant, 'billing', warmTmp, billingEnv(db.url), billingRss));
  }
  report('billing', 'RSS 1 s after /healthz', billing);

  if (AGENT_RUNS > 0) {
    // The agent's readiness asks billing; a compiled one answers for every variant.
    const billingForAgent = startProgram({
      nodeArgs: compiled(mainBundle(repoRoot, 'billing')),
      port: await freePort(),
      env: billingEnv(db.url),
    });
    try {
      await billingForAgent.healthy();
      const env = async () => agentEnv({ billingUrl: billingForAgent.url, livekitPort: await freePort() });
      const agent = new Map<Variant, Sample[]>(VARIANTS.map((v) => [v, []]));
      await measure('tsx, warm cache', 'agent', warmTmp, await env(), jobProcessRss);
      for (let run = 0; run < AGENT_RUNS; run++) {
        for (const variant of VARIANTS) agent.get(variant)?.push(await measure(variant, 'agent', warmTmp, await env(), jobProcessRss));
      }
      report('agent worker', 'one job process RSS', agent);
    } finally {
      await billingForAgent.stop();
    }
  }
} finally {
  await rm(warmTmp, { recursive: true, force: true });
  await db.dispose();
}
