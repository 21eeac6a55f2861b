import { spawn, type ChildProcess } from 'node:child_process';
import { redisAnswers } from '@mindbot/redis/probe';
import { freePort } from './free-port.js';

export interface RedisServer {
  url: string;
  /** Stops it (SIGKILL: nothing is saved) and starts it again on the same port after `downMs`. */
  restart(downMs: number): Promise<void>;
  stop(): Promise<void>;
}

/** A redis-server of a test's own on a free port (Debian's package), for tests that restart it under load. */
export async function startRedisServer(): Promise<RedisServer> {
  const port = await freePort();
  const url = `redis://127.0.0.1:${port}`;
  let child: ChildProcess | undefined;
  const up = async () => {
    child = spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'], { stdio: 'ignore' });
    for (let i = 0; i < 100; i++) {
      if (await redisAnswers(url)) return;
      await new Promise((r) => setTimeout(r, 100));
    }
    throw new Error(`redis-server did not start on ${url}`);
  };
  const down = async () => {
    const running = child;
    if (!running || running.exitCode !== null || running.signalCode !== null) return;
    const exited = new Promise((r) => running.once('exit', r));
    running.kill('SIGKILL');
    await exited;
  };
  await up();
  return {
    url,
    async restart(downMs) {
      await down();
      await new Promise((r) => setTimeout(r, downMs));
      await up();
    },
    stop: down,
  };
}
