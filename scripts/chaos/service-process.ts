// One of the platform's Node services (gateway, billing, sso, agent) as `npm start` runs it
// (`node --import tsx services/<name>/src/main.ts`), in a process group of its own on a fixed port,
// so the chaos run can kill it (SIGKILL, no drain) and start it again where the others expect it.
import { spawn, type ChildProcess } from 'node:child_process';
import { createWriteStream, type WriteStream } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('../../', import.meta.url));

export type ServiceName = 'gateway' | 'billing' | 'sso' | 'agent';

export interface ServiceProcess {
  name: ServiceName;
  /** Where it listens (a port of its own for its whole life, unless `port` was a function: then a new one each start). */
  url(): string;
  /** Starts it and resolves once it is ready (agent: registered with LiveKit). */
  start(): Promise<void>;
  /** SIGKILL to its process group (the agent's job processes too): a crash, nothing drained. */
  kill(): Promise<void>;
  /** SIGTERM (a drain), SIGKILL after 10 s. */
  stop(): Promise<void>;
  running(): boolean;
}

async function ready(url: string, name: ServiceName): Promise<boolean> {
  try {
    const res = await fetch(`${url}/readyz`, { signal: AbortSignal.timeout(2_000) });
    if (res.ok) return true;
    // The agent reports missing speech providers on /readyz too: registered with LiveKit is ready enough.
    if (name === 'agent') return ((await res.json()) as { dependencies?: Record<string, string> }).dependencies?.livekit === 'ok';
    return false;
  } catch {
    return false;
  }
}

export function serviceProcess(options: {
  name: ServiceName;
  /** A fixed port (others call it there), or where to find one at each start (nobody calls it: the agent worker). */
  port: number | (() => Promise<number>);
  env: NodeJS.ProcessEnv;
  logDir: string;
}): ServiceProcess {
  let url = typeof options.port === 'number' ? `http://127.0.0.1:${options.port}` : '';
  let child: ChildProcess | undefined;
  let log: WriteStream | undefined;
  const alive = () => child !== undefined && child.exitCode === null && child.signalCode === null;
  const signalGroup = (signal: NodeJS.Signals) => {
    if (child?.pid === undefined) return;
    try {
      process.kill(-child.pid, signal);
    } catch {
      // already gone
    }
  };
  const exited = () => (alive() && child ? new Promise<void>((r) => child?.once('exit', () => r())) : Promise.resolve());
  return {
    name: options.name,
    url: () => url,
    running: alive,
    async start() {
      const port = typeof options.port === 'number' ? options.port : await options.port();
      url = `http://127.0.0.1:${port}`;
      log ??= createWriteStream(join(options.logDir, `${options.name}.log`), { flags: 'a' });
      const out = log;
      child = spawn(process.execPath, ['--import', 'tsx', join(root, `services/${options.name}/src/main.ts`)], {
        cwd: root,
        env: { ...options.env, PORT: String(port) },
        stdio: ['ignore', 'pipe', 'pipe'],
        detached: true,
      });
      child.stdout?.on('data', (d: Buffer) => out.write(d));
      child.stderr?.on('data', (d: Buffer) => out.write(d));
      const started = Date.now();
      while (!(await ready(url, options.name))) {
        if (!alive()) throw new Error(`${options.name} exited while starting (see ${join(options.logDir, `${options.name}.log`)})`);
        if (Date.now() - started > 120_000) throw new Error(`${options.name} was not ready after 120 s`);
        await new Promise((r) => setTimeout(r, 100));
      }
    },
    async kill() {
      const done = exited();
      signalGroup('SIGKILL');
      await done;
    },
    async stop() {
      const done = exited();
      signalGroup('SIGTERM');
      const timer = setTimeout(() => signalGroup('SIGKILL'), 10_000);
      await done;
      clearTimeout(timer);
      log?.end();
      log = undefined;
    },
  };
}
