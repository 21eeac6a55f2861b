import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { freePort } from '@mindbot/testing';

const root = fileURLToPath(new URL('../../', import.meta.url));

export interface AgentProcess {
  url: string;
  output: string[];
  /** Resolves once the worker is registered with LiveKit (its /readyz says so). */
  registered(): Promise<void>;
  /** SIGKILL to the worker and its job processes: the worker dies mid-call, as a crashed pod would. */
  kill(): void;
  stop(): Promise<void>;
}

/** The real agent worker (services/agent/src/main.ts) in a process of its own, as `npm start` and the image run it. */
export async function startAgentProcess(env: Record<string, string>): Promise<AgentProcess> {
  const port = await freePort();
  const output: string[] = [];
  const child: ChildProcess = spawn(process.execPath, ['--import', 'tsx', `${root}services/agent/src/main.ts`], {
    cwd: root,
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
  return {
    url,
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
      if (child.pid !== undefined) process.kill(-child.pid, 'SIGKILL');
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
        if (child.pid !== undefined) process.kill(-child.pid, 'SIGKILL');
      } catch {
        // the group is gone already
      }
    },
  };
}
