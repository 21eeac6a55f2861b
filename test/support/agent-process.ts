import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { freePort } from '@mindbot/testing';

const root = fileURLToPath(new URL('../../', import.meta.url));

export interface AgentProcess {
  url: string;
  /** The worker's process id (its job processes are in its process group). */
  pid: number;
  output: string[];
  /** Resolves once the worker is registered with LiveKit (its /readyz says so). */
  registered(): Promise<void>;
  /** SIGKILL to the worker and its job processes: the worker dies mid-call, as a crashed pod would. */
  kill(): void;
  stop(): Promise<void>;
}

/** How to run the worker: its source through tsx (the default), or a built bundle as the image runs it. */
export interface AgentProgram {
  args: readonly string[];
  cwd: string;
}

const FROM_SOURCE: AgentProgram = { args: ['--import', 'tsx', `${root}services/agent/src/main.ts`], cwd: root };

/** The real agent worker (services/agent/src/main.ts) in a process of its own, as `npm start` and the image run it. */
export async function startAgentProcess(env: Record<string, string>, program: AgentProgram = FROM_SOURCE): Promise<AgentProcess> {
  const port = await freePort();
  const output: string[] = [];
  const child: ChildProcess = spawn(process.execPath, program.args, {
    cwd: program.cwd,
    env: { PATH: process.env.PATH, NODE_ENV: 'production', LOG_LEVEL: 'info', PORT: String(port), AGENT_IDLE_PROCESSES: '1', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
    // A process group of its own: the worker forks a process per job, and a crash kills them all, as a pod's would.
    detached: true,
  });
  const collect = (chunk: Buffer) => {
    output.push(
      ...chunk
        .toString('utf8')
        .split('\n')
        .filter((line) => line.length > 0),
    );
    if (output.length > 5_000) output.splice(0, output.length - 5_000);
  };
  child.stdout?.on('data', collect);
  child.stderr?.on('data', collect);
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const url = `http://127.0.0.1:${port}`;
  const pid = child.pid;
  if (pid === undefined) throw new Error('the agent worker did not start');
  return {
    url,
    pid,
    output,
    async registered() {
      for (let i = 0; i < 300; i++) {
        if (child.exitCode !== null) throw new Error(`the agent worker exited (${child.exitCode}):\n${output.slice(-30).join('\n')}`);
        const ready = await fetch(`${url}/readyz`).then(
          (r) => r.json() as Promise<{ dependencies?: Record<string, string> }>,
          () => undefined,
        );
        if (ready?.dependencies?.livekit === 'ok') return;
        await new Promise((r) => setTimeout(r, 200));
      }
      throw new Error(`the agent worker did not register with LiveKit:\n${output.slice(-30).join('\n')}`);
    },
    kill() {
      process.kill(-pid, 'SIGKILL');
    },
    async stop() {
      if (child.exitCode === null && child.signalCode === null) {
        child.kill('SIGTERM');
        const timer = setTimeout(() => child.kill('SIGKILL'), 15_000);
        await exited;
        clearTimeout(timer);
      }
      // Whatever job process outlived the worker goes with it.
      try {
        process.kill(-pid, 'SIGKILL');
      } catch {
        // the group is gone already
      }
    },
  };
}
