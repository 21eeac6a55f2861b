import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { connect } from 'node:net';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { freePort } from './free-port.js';

export interface StripeMock {
  /** e.g. http://127.0.0.1:41234 — what STRIPE_API_URL takes. */
  url: string;
  host: string;
  port: number;
  stop(): Promise<void>;
}

/** Where scripts/tools.sh puts stripe-mock: <repo>/.tools/bin, else the per-machine cache. */
export function stripeMockBinary(): string {
  if (process.env.STRIPE_MOCK_BIN) return process.env.STRIPE_MOCK_BIN;
  const repoTools = fileURLToPath(new URL('../../../.tools/bin/stripe-mock', import.meta.url));
  return existsSync(repoTools)
    ? repoTools
    : join(process.env.MINDBOT_TOOLS_DIR ?? join(homedir(), '.cache', 'mindbot', 'tools'), 'bin', 'stripe-mock');
}

function answers(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host: '127.0.0.1', port }, () => {
      socket.end();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

/**
 * Starts Stripe's own API mock on loopback ports of its own (HTTP and HTTPS both bound to
 * 127.0.0.1: without -https-addr it would listen on every interface). Stateless: it validates
 * requests against Stripe's OpenAPI spec and answers fixtures.
 */
export async function startStripeMock(): Promise<StripeMock> {
  const binary = stripeMockBinary();
  if (!existsSync(binary))
    throw new Error(`stripe-mock not found at ${binary}: run \`npm run tools\` (scripts/tools.sh stripe-mock) once on this machine`);
  const port = await freePort();
  const httpsPort = await freePort();
  const child: ChildProcess = spawn(binary, ['-http-addr', `127.0.0.1:${port}`, '-https-addr', `127.0.0.1:${httpsPort}`], {
    stdio: 'ignore',
  });
  const state = { exited: false };
  child.once('exit', () => {
    state.exited = true;
  });
  for (let i = 0; i < 100 && !state.exited; i++) {
    if (await answers(port)) {
      return {
        url: `http://127.0.0.1:${port}`,
        host: '127.0.0.1',
        port,
        stop: () =>
          new Promise<void>((resolve) => {
            if (state.exited) {
              resolve();
              return;
            }
            child.once('exit', () => resolve());
            child.kill('SIGTERM');
          }),
      };
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  child.kill('SIGKILL');
  throw new Error(`stripe-mock did not start on 127.0.0.1:${port}`);
}
