// k6 beside the Node load in the full run: load-tests/chaos.js (mixed.js's visitors) against the
// chaos platform, every request written to k6's JSON output and read back as samples, so k6's
// requests are judged against the outage window like the others.
import { spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { ChaosPlatform } from './platform.js';
import type { Sample } from './load.js';

const loadTests = fileURLToPath(new URL('../../load-tests/', import.meta.url));

export function k6Binary(): string | undefined {
  const candidates = [process.env.K6_BIN, join(loadTests, '../.tools/bin/k6'), join(homedir(), '.cache/mindbot/tools/bin/k6')];
  return candidates.find((c): c is string => c !== undefined && existsSync(c));
}

const KINDS: Record<string, Sample['kind']> = {
  'GET /v1/branding': 'k6:branding',
  'GET /v1/balance': 'k6:balance',
  'POST /v1/voice/sessions': 'k6:start',
  'POST /v1/voice/sessions/:id/end': 'k6:end',
};

interface K6Point {
  type?: string;
  metric?: string;
  data?: { time?: string; value?: number; tags?: { name?: string; status?: string } };
}

/** The requests of k6's JSON output as samples (its warm-up requests left out). */
export function samplesOf(jsonLines: string): Sample[] {
  const samples: Sample[] = [];
  for (const line of jsonLines.split('\n')) {
    if (!line.includes('"http_req_duration"')) continue;
    const point = JSON.parse(line) as K6Point;
    const kind = KINDS[point.data?.tags?.name ?? ''];
    if (point.type !== 'Point' || kind === undefined || point.data?.time === undefined) continue;
    const ms = point.data.value ?? 0;
    // k6 stamps a request's metrics when it is done.
    samples.push({ kind, at: Date.parse(point.data.time) - ms, ms, status: Number(point.data.tags?.status ?? 0) });
  }
  return samples;
}

export interface RunningK6 {
  /** Stops k6 (SIGINT: it finishes its iterations' requests and writes its summary); resolves with its requests. */
  stop(): Promise<Sample[]>;
}

export function startK6(platform: ChaosPlatform, binary: string, outFile: string): RunningK6 {
  const child = spawn(binary, ['run', '--quiet', '--no-summary', '--out', `json=${outFile}`, 'chaos.js'], {
    cwd: loadTests,
    env: {
      ...process.env,
      K6_NO_USAGE_REPORT: 'true',
      MINDBOT_BASE_URL: platform.gatewayUrl,
      MINDBOT_BASE_DOMAIN: platform.baseDomain,
      MINDBOT_SEED: platform.seedFile,
      K6_WIDGETS: process.env.K6_WIDGETS ?? '2',
      K6_USERS: process.env.K6_USERS ?? '2',
      K6_TALKERS: process.env.K6_TALKERS ?? '1',
    },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let errors = '';
  child.stderr.on('data', (d: Buffer) => (errors = (errors + d.toString()).slice(-4000)));
  const exited = new Promise<void>((r) => child.once('exit', () => r()));
  return {
    async stop() {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGINT');
      await exited;
      if (!existsSync(outFile)) throw new Error(`k6 wrote no output: ${errors}`);
      return samplesOf(readFileSync(outFile, 'utf8'));
    },
  };
}
