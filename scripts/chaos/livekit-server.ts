// livekit-server (built by `npm run tools`) on fixed free ports chosen once, so the chaos run can kill
// it and start it again where the gateway and the agent worker expect it.
import { spawn, type ChildProcess } from 'node:child_process';
import { freePort } from '@mindbot/testing';
import { liveKitConfigBody, livekitServerBinary } from '../../services/gateway/src/testing/livekit.js';

export interface RestartableLiveKit {
  url: string;
  apiUrl: string;
  apiKey: string;
  apiSecret: string;
  start(): Promise<void>;
  kill(): Promise<void>;
  stop(): Promise<void>;
}

export function hasLiveKit(): boolean {
  try {
    livekitServerBinary();
    return true;
  } catch {
    return false;
  }
}

export async function liveKitServer(options: { apiKey: string; apiSecret: string; webhookUrl: string }): Promise<RestartableLiveKit> {
  const [port, tcpPort, udpPort] = [await freePort(), await freePort(), await freePort()];
  const config = liveKitConfigBody({ ...options, port, tcpPort, udpPort });
  const apiUrl = `http://127.0.0.1:${port}`;
  let child: ChildProcess | undefined;
  const alive = () => child !== undefined && child.exitCode === null && child.signalCode === null;
  const end = async (signal: NodeJS.Signals) => {
    if (!alive() || !child) return;
    const exited = new Promise((r) => child?.once('exit', r));
    child.kill(signal);
    await exited;
  };
  return {
    url: `ws://127.0.0.1:${port}`,
    apiUrl,
    apiKey: options.apiKey,
    apiSecret: options.apiSecret,
    async start() {
      child = spawn(livekitServerBinary(), ['--config-body', config, '--bind', '127.0.0.1', '--node-ip', '127.0.0.1'], { stdio: 'ignore' });
      const started = Date.now();
      for (;;) {
        if (!alive()) throw new Error('livekit-server exited while starting');
        try {
          if ((await fetch(apiUrl, { signal: AbortSignal.timeout(1_000) })).status < 500) return;
        } catch {
          // not listening yet
        }
        if (Date.now() - started > 30_000) throw new Error('livekit-server did not start in 30 s');
        await new Promise((r) => setTimeout(r, 100));
      }
    },
    kill: () => end('SIGKILL'),
    stop: () => end('SIGTERM'),
  };
}
