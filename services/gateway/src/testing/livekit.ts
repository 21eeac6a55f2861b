import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { portAllocator } from '@mindbot/testing';

export interface LiveKitServer {
  /** ws://127.0.0.1:<port> */
  url: string;
  apiUrl: string;
  apiKey: string;
  apiSecret: string;
  /** For benchmarks that account its CPU. */
  pid: number | undefined;
  output: string[];
  stop(): Promise<void>;
}

/** The livekit-server built from its Go module by `npm run tools` (v1.13.5). */
export function livekitServerBinary(): string {
  const candidates = [
    process.env.LIVEKIT_SERVER_BIN,
    fileURLToPath(new URL('../../../../.tools/bin/livekit-server', import.meta.url)),
    join(homedir(), '.cache/mindbot/tools/bin/livekit-server'),
  ];
  const found = candidates.find((c): c is string => c !== undefined && existsSync(c));
  if (!found) throw new Error('livekit-server is not built: run `npm run tools`');
  return found;
}

/**
 * A real livekit-server on loopback, on free ports (signal, RTC TCP, a small UDP range), with its own
 * key pair and, optionally, webhooks to `webhookUrl` signed with that key. `avoidPorts`: ports other
 * servers of the same run were given and may not have bound yet.
 */
export async function startLiveKit(options: {
  apiKey: string;
  apiSecret: string;
  webhookUrl?: string;
  avoidPorts?: readonly number[];
}): Promise<LiveKitServer> {
  const nextPort = portAllocator(options.avoidPorts);
  const port = await nextPort();
  const tcpPort = await nextPort();
  const udpPort = await nextPort();
  const config = liveKitConfigBody({ ...options, port, tcpPort, udpPort });
  const output: string[] = [];
  const child: ChildProcess = spawn(livekitServerBinary(), ['--config-body', config, '--bind', '127.0.0.1', '--node-ip', '127.0.0.1'], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  child.stdout?.on('data', (d: Buffer) => output.push(d.toString()));
  child.stderr?.on('data', (d: Buffer) => output.push(d.toString()));
  const url = `http://127.0.0.1:${port}`;
  const started = Date.now();
  for (;;) {
    if (child.exitCode !== null) throw new Error(`livekit-server exited: ${output.join('').slice(-2000)}`);
    try {
      const res = await fetch(url);
      if (res.status < 500) break;
    } catch {
      // not yet listening
    }
    if (Date.now() - started > 15_000) {
      child.kill('SIGKILL');
      throw new Error(`livekit-server did not start: ${output.join('').slice(-2000)}`);
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  return {
    url: `ws://127.0.0.1:${port}`,
    apiUrl: url,
    apiKey: options.apiKey,
    apiSecret: options.apiSecret,
    pid: child.pid,
    output,
    async stop() {
      if (child.exitCode !== null || child.signalCode !== null) return;
      const exited = new Promise((r) => child.once('exit', r));
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 3_000);
      await exited;
      clearTimeout(timer);
    },
  };
}

/** livekit-server's configuration on loopback: these ports, one key pair, webhooks signed with it when a URL is given. */
export function liveKitConfigBody(options: {
  port: number;
  tcpPort: number;
  udpPort: number;
  apiKey: string;
  apiSecret: string;
  webhookUrl?: string | undefined;
}): string {
  return [
    `port: ${options.port}`,
    'bind_addresses: ["127.0.0.1"]',
    'rtc:',
    `  tcp_port: ${options.tcpPort}`,
    `  udp_port: ${options.udpPort}`,
    '  use_external_ip: false',
    '  node_ip: 127.0.0.1',
    'turn:',
    '  enabled: false',
    'keys:',
    `  ${options.apiKey}: ${options.apiSecret}`,
    'logging:',
    '  level: warn',
    ...(options.webhookUrl ? ['webhook:', `  api_key: ${options.apiKey}`, '  urls:', `    - ${options.webhookUrl}`] : []),
  ].join('\n');
}
