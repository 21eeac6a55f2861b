// Gateway throughput, one run on this machine, one load generator (k6) and connection count for all:
//   1. a bare express 5 handler answering a constant JSON body (the floor);
//   2. GET /v1/branding through the gateway (host → tenant resolution, CORS, rate limit in Redis, ETag), each VU a
//      visitor of one of BENCH_VUS tenants (far from any limit, as widget loads come: ADR 0065);
//   3. POST /v1/voice/sessions (JWT check + tenant resolution + rate limit + balance check and
//      reservation in the real billing service + room and agent dispatch on a local livekit-server +
//      LiveKit token signing), each VU its own user, then again with every VU the same user.
// Prints req/s, p50 and p99 of each and the ratios to the bare handler; then where a voice-session
// start's time goes: the whole POST beside each of its parts called on its own by the same number
// of concurrent clients (billing's reservation, LiveKit's room create, the room created with the agent's
// dispatch, the join token), interleaved round by round (BENCH_BREAKDOWN_ROUNDS=5 rounds of 10 calls per client).
// Every VU connects from its own loopback address (k6 --local-ips 127.0.0.2 on), as callers do.
//   npm run bench:gateway            (BENCH_SECONDS=10, BENCH_VUS=10)
import { spawn } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import express from 'express';
import { startServer } from '@mindbot/http';
import { createLogger } from '@mindbot/logger';
import { createLifecycle } from '@mindbot/http';
import { createTestDatabase, freePort, uniqueSlug } from '@mindbot/testing';
import { randomUUID } from 'node:crypto';
import { request } from 'node:http';
import { dispose } from '@livekit/rtc-node';
import { AccessToken, RoomAgentDispatch, RoomServiceClient } from 'livekit-server-sdk';
import { BillingServiceClient } from '@mindbot/billing-client';
import { createPool } from '@mindbot/db';
import { startBillingProcess } from '../services/gateway/src/testing/billing-process.js';
import {
  BILLING_SERVICE_TOKEN,
  LIVEKIT_DEV_KEY,
  LIVEKIT_DEV_SECRET,
  startGatewayHarness,
} from '../services/gateway/src/testing/harness.js';
import { livekitServerBinary, startLiveKit } from '../services/gateway/src/testing/livekit.js';
import { CpuAccount, machineBusyCpuSeconds } from './proc.js';
import { ms, percentile } from './stats.js';

const seconds = Number(process.env.BENCH_SECONDS ?? 10);
const vus = Number(process.env.BENCH_VUS ?? 10);
const k6 = join(livekitServerBinary(), '..', 'k6');

const SCRIPT = `
import http from 'k6/http';
export const options = { vus: Number(__ENV.VUS), duration: __ENV.DURATION, summaryTrendStats: ['med', 'p(99)'], discardResponseBodies: true };
// One set of headers for every VU, or one per VU (each caller its own user).
const sets = [].concat(JSON.parse(__ENV.HEADERS));
export default function () {
  const params = { headers: sets[(__VU - 1) % sets.length] };
  if (__ENV.METHOD === 'POST') http.post(__ENV.URL, __ENV.BODY, params);
  else http.get(__ENV.URL, params);
}
`;

interface Figures {
  requests: number;
  rps: number;
  p50: number;
  p99: number;
  failed: number;
}

async function measure(
  dir: string,
  name: string,
  target: { url: string; method: 'GET' | 'POST'; headers: Record<string, string> | Record<string, string>[]; body?: string },
): Promise<Figures> {
  const summary = join(dir, `${name}.json`);
  const code = await new Promise<number | null>((resolve, reject) => {
    const addresses = `127.0.0.2-127.0.0.${1 + vus}`;
    const child = spawn(k6, ['run', '--quiet', '--local-ips', addresses, '--summary-export', summary, join(dir, 'bench.js')], {
      env: {
        PATH: process.env.PATH,
        K6_NO_USAGE_REPORT: 'true',
        VUS: String(vus),
        DURATION: `${seconds}s`,
        URL: target.url,
        METHOD: target.method,
        HEADERS: JSON.stringify(target.headers),
        BODY: target.body ?? '',
      },
      stdio: 'ignore',
    });
    child.once('error', reject);
    child.once('exit', resolve);
  });
  if (code !== 0) throw new Error(`k6 exited ${code} for ${name}`);
  const metrics = (JSON.parse(await readFile(summary, 'utf8')) as { metrics: Record<string, Record<string, number>> }).metrics;
  return {
    requests: metrics.http_reqs?.count ?? 0,
    rps: metrics.http_reqs?.rate ?? 0,
    p50: metrics.http_req_duration?.med ?? Number.NaN,
    p99: metrics.http_req_duration?.['p(99)'] ?? Number.NaN,
    failed: metrics.http_req_failed?.value ?? 1,
  };
}

/**
 * Where the CPU of a run went: this process (the gateway), billing, livekit-server, the Postgres backends of the
 * bench's database, and the rest of the machine (k6, Redis, the kernel), from /proc, sampled as backends come and go.
 */
async function cpuDuring<T>(
  groups: { billing: number | undefined; livekit: number | undefined; postgres: () => Promise<number[]> },
  run: () => Promise<T>,
): Promise<{ result: T; seconds: Record<'gateway' | 'billing' | 'livekit' | 'postgres' | 'rest', number> }> {
  const single = (pid: number | undefined) => new CpuAccount(pid === undefined ? [] : [pid]);
  const accounts = { billing: single(groups.billing), livekit: single(groups.livekit), postgres: new CpuAccount(await groups.postgres()) };
  const sample = async () => {
    if (groups.billing !== undefined) accounts.billing.sample([groups.billing]);
    if (groups.livekit !== undefined) accounts.livekit.sample([groups.livekit]);
    accounts.postgres.sample(await groups.postgres());
  };
  const machineAtStart = machineBusyCpuSeconds();
  const gatewayAtStart = process.cpuUsage();
  const sampler = setInterval(() => void sample(), 200);
  try {
    const result = await run();
    await sample();
    const gatewayUsage = process.cpuUsage(gatewayAtStart);
    const gateway = (gatewayUsage.user + gatewayUsage.system) / 1e6;
    const machine = machineBusyCpuSeconds() - machineAtStart;
    const named = gateway + accounts.billing.seconds + accounts.livekit.seconds + accounts.postgres.seconds;
    return {
      result,
      seconds: {
        gateway,
        billing: accounts.billing.seconds,
        livekit: accounts.livekit.seconds,
        postgres: accounts.postgres.seconds,
        rest: Math.max(0, machine - named),
      },
    };
  } finally {
    clearInterval(sampler);
  }
}

const dir = await mkdtemp(join(tmpdir(), 'mindbot-bench-'));
await writeFile(join(dir, 'bench.js'), SCRIPT);
const database = await createTestDatabase();
const stats = createPool(database.url, { max: 1 });
const livekit = await startLiveKit({ apiKey: LIVEKIT_DEV_KEY, apiSecret: LIVEKIT_DEV_SECRET });
const billingPort = await freePort();
const gateway = await startGatewayHarness({
  database,
  billingUrl: `http://127.0.0.1:${billingPort}`,
  livekit: { url: livekit.url, apiUrl: livekit.apiUrl },
});
gateway.deps.logger.level = 'warn';
const tenant = uniqueSlug('bench');
await gateway.provision(tenant, (m) => {
  m.spec.plan.requestsPerMinute = 1_000_000;
  // Sessions are started and never ended here: the plan's limit of sessions at once must not be what is measured.
  m.spec.plan.concurrentSessions = 100_000;
});
await gateway.grantSeconds(tenant, 'usr_bench', 1_000_000_000);
// Widget loads come from the visitors of many tenants: one per VU.
const brandingTenants = [tenant];
for (let i = 1; i < vus; i++) {
  const other = uniqueSlug('bench');
  await gateway.provision(other, (m) => {
    m.spec.plan.requestsPerMinute = 1_000_000;
  });
  brandingTenants.push(other);
}
// The breakdown below gives each client its own user, as real callers are (one user's starts queue on that user's lots).
const users = Array.from({ length: vus }, (_, i) => `usr_bench_${i}`);
for (const user of users) await gateway.grantSeconds(tenant, user, 1_000_000_000);
const billing = await startBillingProcess({ databaseUrl: database.url, issuer: gateway.issuer, port: billingPort });
const gatewayServer = await gateway.listen();

const bare = express();
bare.get('/constant', (_req, res) => {
  res.json({ tenant: 'bench', displayName: 'Bench', primaryColor: '#112233' });
});
const logger = createLogger({ name: 'bench', level: 'silent' });
const bareServer = await startServer(bare, { port: 0, logger, lifecycle: createLifecycle() });

try {
  const host = `${tenant}.localhost`;
  const token = await gateway.token(tenant, 'usr_bench');
  // Warm up each path once (JWKS fetch in billing, Prisma clients, LiveKit connection).
  await fetch(`${bareServer.url}/constant`);
  const results: [string, Figures][] = [];
  results.push(['bare express 5 handler', await measure(dir, 'bare', { url: `${bareServer.url}/constant`, method: 'GET', headers: {} })]);
  results.push([
    'GET /v1/branding',
    await measure(dir, 'branding', {
      url: `${gatewayServer.url}/v1/branding`,
      method: 'GET',
      headers: brandingTenants.map((slug) => ({ Host: `${slug}.localhost` })),
    }),
  ]);
  // Ten callers are ten users; one user starting ten calls at once queues on that user's lots (by design), shown apart.
  const voiceHeaders = (bearer: string) => ({ Host: host, Authorization: `Bearer ${bearer}`, 'Content-Type': 'application/json' });
  const userTokens = await Promise.all(users.map((user) => gateway.token(tenant, user)));
  const voice = { url: `${gatewayServer.url}/v1/voice/sessions`, method: 'POST' as const, body: '{}' };
  const backends = async () =>
    (await stats.query<{ pid: number }>('SELECT pid FROM pg_stat_activity WHERE datname = current_database()')).rows.map((r) => r.pid);
  const voiceRun = await cpuDuring({ billing: billing.pid, livekit: livekit.pid, postgres: backends }, () =>
    measure(dir, 'voice', { ...voice, headers: userTokens.map(voiceHeaders) }),
  );
  results.push(['POST /v1/voice/sessions', voiceRun.result]);
  results.push(['  every VU the same user', await measure(dir, 'voice-one-user', { ...voice, headers: voiceHeaders(token) })]);
  const floor = results[0]?.[1];
  console.log(`gateway throughput: k6, ${vus} VUs, ${seconds} s each, one machine (${process.arch}, Node ${process.version})`);
  for (const [name, f] of results) {
    const ratio = floor ? ` | ${(f.rps / floor.rps).toFixed(3)}× bare req/s, p50 ${(f.p50 / floor.p50).toFixed(1)}× bare` : '';
    console.log(
      `${name.padEnd(26)} ${f.rps.toFixed(0).padStart(7)} req/s  p50 ${ms(f.p50).padStart(9)}  p99 ${ms(f.p99).padStart(9)}  failed ${(f.failed * 100).toFixed(2)}%${ratio}`,
    );
  }
  const perStart = (seconds: number) => `${((seconds * 1000) / Math.max(1, voiceRun.result.requests)).toFixed(2)} ms`;
  console.log(
    `voice-session start, CPU per start under k6 (${voiceRun.result.requests} starts): ` +
      Object.entries(voiceRun.seconds)
        .map(([name, seconds]) => `${name === 'rest' ? 'rest of the machine (k6, Redis, kernel)' : name} ${perStart(seconds)}`)
        .join(', ') +
      `; total ${perStart(Object.values(voiceRun.seconds).reduce((sum, s) => sum + s, 0))}`,
  );
  // Where a voice-session start's time goes: each part on its own, same concurrency, interleaved.
  const billingClient = new BillingServiceClient(new URL(`http://127.0.0.1:${billingPort}`), BILLING_SERVICE_TOKEN);
  const roomService = new RoomServiceClient(livekit.apiUrl, LIVEKIT_DEV_KEY, LIVEKIT_DEV_SECRET);
  const parts: Record<string, (client: number) => Promise<unknown>> = {
    'POST /v1/voice/sessions (all)': (client) =>
      // node:http, as fetch does not send a Host header of the caller's choosing.
      new Promise<void>((resolve, reject) => {
        const req = request(`${gatewayServer.url}/v1/voice/sessions`, {
          method: 'POST',
          headers: { Host: host, Authorization: `Bearer ${userTokens[client] ?? token}`, 'Content-Type': 'application/json' },
        });
        req.once('error', reject);
        req.once('response', (res) => {
          res.resume();
          res.once('end', () => (res.statusCode === 201 ? resolve() : reject(new Error(`voice session answered ${res.statusCode}`))));
        });
        req.end('{}');
      }),
    'billing reservation': async (client) => {
      const started = await billingClient.startSession(tenant, { userId: users[client] ?? 'usr_bench', startKey: `bench:${randomUUID()}` });
      if (!started.ok) throw new Error(`billing refused: ${started.failure}`);
    },
    'LiveKit room create': () => roomService.createRoom({ name: `bench-${randomUUID()}`, emptyTimeout: 120, maxParticipants: 2 }),
    // As the gateway opens a session's room: the agent's dispatch rides on the room's creation.
    'LiveKit room with agent dispatch': () =>
      roomService.createRoom({
        name: `bench-${randomUUID()}`,
        emptyTimeout: 120,
        maxParticipants: 2,
        agents: [new RoomAgentDispatch({ agentName: 'bench-agent', metadata: '{}' })],
      }),
    'join token signing': () => {
      const access = new AccessToken(LIVEKIT_DEV_KEY, LIVEKIT_DEV_SECRET, { identity: 'usr_bench', ttl: 600 });
      access.addGrant({ room: 'bench', roomJoin: true });
      return access.toJwt();
    },
  };
  const samples = new Map<string, number[]>(Object.keys(parts).map((name) => [name, []]));
  for (let round = 0; round < Number(process.env.BENCH_BREAKDOWN_ROUNDS ?? 5); round++) {
    for (const [name, call] of Object.entries(parts)) {
      await Promise.all(
        Array.from({ length: vus }, async (_, client) => {
          for (let i = 0; i < 10; i++) {
            const started = performance.now();
            await call(client);
            samples.get(name)?.push(performance.now() - started);
          }
        }),
      );
    }
  }
  console.log(`voice-session start, where the time goes (${vus} concurrent clients, one user each, each part on its own):`);
  for (const [name, values] of samples) {
    console.log(
      `  ${name.padEnd(32)} n=${values.length}  p50 ${ms(percentile(values, 50)).padStart(9)}  p99 ${ms(percentile(values, 99)).padStart(9)}`,
    );
  }

  // Fast failures would flatter the figures: a run where requests failed measures nothing.
  const failing = results.filter(([, f]) => f.failed > 0.001).map(([name]) => name);
  if (failing.length > 0) {
    console.error(`requests failed on ${failing.join(', ')}: these figures are not throughput`);
    process.exitCode = 1;
  }
} finally {
  await bareServer.close();
  await gateway.close();
  await billing.stop();
  await livekit.stop();
  await dispose();
  await stats.end();
  await database.dispose();
  await rm(dir, { recursive: true, force: true });
}
