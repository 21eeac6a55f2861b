import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { readFile, readdir } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { testRedisUrl } from '@mindbot/testing';

const run = promisify(execFile);
export const repoRoot = fileURLToPath(new URL('../../', import.meta.url));

/** `npm run build` (scripts/build.ts), on this test's Node. */
export async function buildPrograms(): Promise<void> {
  await run(process.execPath, ['--import', 'tsx', 'scripts/build.ts'], { cwd: repoRoot, maxBuffer: 16 * 1024 * 1024 });
}

export interface ProgramProcess {
  child: ChildProcess;
  url: string;
  output: string[];
  /** Resolves once GET /healthz answers 200; rejects if the process exits first or takes longer than `timeoutMs`. */
  healthy(timeoutMs?: number): Promise<void>;
  /** SIGTERM, then SIGKILL to the whole process group (the agent's job processes included). */
  stop(): Promise<void>;
}

/** As the image starts a program: `node --enable-source-maps <bundle>`. */
export const compiled = (bundle: string) => ['--enable-source-maps', bundle];
/** As development starts it (npm start): `node --import tsx <source>`. */
export const underTsx = (source: string) => ['--import', 'tsx', source];

/** A program in a process group of its own, on `port`, with only PATH and `env` in its environment. */
export function startProgram(options: { nodeArgs: string[]; port: number; env: Record<string, string> }): ProgramProcess {
  const output: string[] = [];
  const child = spawn(process.execPath, options.nodeArgs, {
    cwd: repoRoot,
    env: { PATH: process.env.PATH, PORT: String(options.port), ...options.env },
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true,
  });
  const collect = (chunk: Buffer) => {
    output.push(...chunk.toString('utf8').split('\n'));
    if (output.length > 5_000) output.splice(0, output.length - 5_000);
  };
  child.stdout.on('data', collect);
  child.stderr.on('data', collect);
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const url = `http://127.0.0.1:${options.port}`;
  return {
    child,
    url,
    output,
    async healthy(timeoutMs = 60_000) {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        if (child.exitCode !== null) throw new Error(`exited (${child.exitCode}):\n${output.slice(-30).join('\n')}`);
        const ok = await fetch(`${url}/healthz`).then(
          (res) => res.ok,
          () => false,
        );
        if (ok) return;
        if (Date.now() > deadline) throw new Error(`/healthz did not answer:\n${output.slice(-30).join('\n')}`);
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
    },
    async stop() {
      if (child.exitCode === null && child.signalCode === null) {
        child.kill('SIGTERM');
        const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
        await exited;
        clearTimeout(timer);
      }
      try {
        if (child.pid !== undefined) process.kill(-child.pid, 'SIGKILL');
      } catch {
        // the group is gone already
      }
    },
  };
}

/** Billing's environment for a start-up on its own: the given database, the test Redis, and a Stripe and token issuer nothing calls. */
export function billingEnv(databaseUrl: string): Record<string, string> {
  return {
    NODE_ENV: 'production',
    LOG_LEVEL: 'info',
    DATABASE_URL: databaseUrl,
    REDIS_URL: testRedisUrl(),
    STRIPE_SECRET_KEY: 'sk_test_123',
    STRIPE_WEBHOOK_SECRET: 'whsec_compiled_programs',
    STRIPE_API_URL: 'http://127.0.0.1:9',
    BILLING_SERVICE_TOKENS: 'compiled-programs-service-token-0123456789',
    AUTH_JWKS_URL: 'http://127.0.0.1:9/.well-known/jwks.json',
    AUTH_ISSUER: 'http://127.0.0.1:9',
    AUTH_AUDIENCE: 'mindbot-platform',
    METERING_SWEEP_INTERVAL_SECONDS: '3600',
  };
}

/**
 * The agent worker's environment without a LiveKit server (nothing listens on `livekitPort`): it keeps
 * trying to register while it already warms one job process; debug logs say when that process has
 * imported the job entry ("job runner initialized").
 */
export function agentEnv(options: { billingUrl: string; livekitPort: number }): Record<string, string> {
  return {
    NODE_ENV: 'production',
    LOG_LEVEL: 'debug',
    LIVEKIT_URL: `ws://127.0.0.1:${options.livekitPort}`,
    LIVEKIT_API_KEY: 'devkey',
    LIVEKIT_API_SECRET: 'secret_for_compiled_programs_0123456789',
    BILLING_URL: options.billingUrl,
    AGENT_IDLE_PROCESSES: '1',
  };
}

/** The worker's job process once it has imported the job entry (its pid and command line), or undefined while none has. */
export async function initializedJobProcess(agent: ProgramProcess): Promise<{ pid: number; args: string } | undefined> {
  const jobs = (await childProcesses(agent.child.pid ?? 0)).filter((p) => p.args.includes('job_proc_lazy_main'));
  return jobs.find((job) => agent.output.some((l) => l.includes(`"pid":${job.pid}`) && l.includes('"msg":"job runner initialized"')));
}

/** The direct children of a process: pid and command line (Linux /proc). */
export async function childProcesses(pid: number): Promise<{ pid: number; args: string }[]> {
  const pids = (await readdir('/proc')).filter((name) => /^\d+$/.test(name));
  const children = await Promise.all(
    pids.map(async (name) => {
      // Fields after the command name (in parentheses, which may hold spaces): state, then the parent's pid.
      const stat = await readFile(`/proc/${name}/stat`, 'utf8').catch(() => '');
      const parent = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      if (parent !== pid) return [];
      const cmdline = await readFile(`/proc/${name}/cmdline`, 'utf8').catch(() => '');
      return [{ pid: Number(name), args: cmdline.split('\0').filter(Boolean).join(' ') }];
    }),
  );
  return children.flat();
}

/** Resident memory of a process in bytes (Linux /proc), or undefined once it is gone. */
export async function residentBytes(pid: number): Promise<number | undefined> {
  const status = await readFile(`/proc/${pid}/status`, 'utf8').catch(() => '');
  const kib = /^VmRSS:\s+(\d+) kB$/m.exec(status)?.[1];
  return kib === undefined ? undefined : Number(kib) * 1024;
}
