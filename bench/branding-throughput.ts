// GET /v1/branding beside a bare express 5 handler, without k6 or livekit-server: the same closed-loop
// load generator (BENCH_VUS keep-alive connections, each one request at a time, in a child process so it
// does not share the servers' event loop) against each in turn, interleaved for BENCH_ROUNDS rounds of
// BENCH_SECONDS each. Prints req/s, p50 and p99 of both, and the servers' CPU per request (this
// process's CPU time while the load ran, divided by the requests): on a shared machine the CPU ratio
// moves less with the other processes' load than the req/s ratio does. The load average goes with it.
// Each connection is a visitor of its own (its own loopback address, 127.0.0.2 on) of one of
// BENCH_TENANTS tenants on the largest plan, in turn: widget loads as they come, far from any rate
// limit. One address at ~10,000 requests/s passes its limit's first fifth (decided in memory) within
// seconds, and every request after that waits for Redis's verdict (ADR 0061); BENCH_TENANTS=1
// BENCH_ADDRESSES=1 measures that case.
//   npx tsx bench/branding-throughput.ts        (BENCH_SECONDS=3, BENCH_VUS=10, BENCH_ROUNDS=7, BENCH_TENANTS=10, BENCH_ADDRESSES=BENCH_VUS)
// The k6 figures of the same two endpoints come from `npm run bench:gateway`.
import { spawn } from 'node:child_process';
import { connect, type Socket } from 'node:net';
import { loadavg } from 'node:os';
import { fileURLToPath } from 'node:url';
import express from 'express';
import { createLifecycle, startServer } from '@mindbot/http';
import { createLogger } from '@mindbot/logger';
import { createTestDatabase, uniqueSlug } from '@mindbot/testing';
import { startGatewayHarness } from '../services/gateway/src/testing/harness.js';
import { median, ms, percentile } from './stats.js';

interface LoadFigures {
  requests: number;
  failed: number;
  p50: number;
  p99: number;
}

const seconds = Number(process.env.BENCH_SECONDS ?? 3);
const vus = Number(process.env.BENCH_VUS ?? 10);
const rounds = Number(process.env.BENCH_ROUNDS ?? 7);
const tenantCount = Number(process.env.BENCH_TENANTS ?? 10);
const addresses = Number(process.env.BENCH_ADDRESSES ?? vus);

/** The child: `--load <url> <hosts, comma-separated>`; prints its figures as JSON. */
async function generateLoad(url: URL, hosts: readonly string[]): Promise<LoadFigures> {
  const latencies: number[] = [];
  let requests = 0;
  let failed = 0;
  const end = Date.now() + seconds * 1000;
  await Promise.all(
    Array.from({ length: vus }, async (_, vu) => {
      // One kept-alive connection per client, as a k6 VU has; plain HTTP/1.1 over a socket, so that the
      // generator costs little beside the servers (node:http's client took more CPU than the bare server).
      const socket = await new Promise<Socket>((resolve, reject) => {
        const opened = connect({ port: Number(url.port), host: url.hostname, localAddress: `127.0.0.${2 + (vu % addresses)}` }, () =>
          resolve(opened),
        );
        opened.once('error', reject);
      });
      socket.setNoDelay(true);
      const ask = `GET ${url.pathname} HTTP/1.1\r\nHost: ${hosts[vu % hosts.length] || url.host}\r\nConnection: keep-alive\r\n\r\n`;
      while (Date.now() < end) {
        const started = performance.now();
        const status = await new Promise<number>((resolve, reject) => {
          let received: Buffer = Buffer.alloc(0);
          const onData = (chunk: Buffer) => {
            received = received.length === 0 ? chunk : Buffer.concat([received, chunk]);
            const headEnd = received.indexOf('\r\n\r\n');
            if (headEnd < 0) return;
            const head = received.subarray(0, headEnd).toString('latin1');
            const length = Number(/\r\ncontent-length: *(\d+)/i.exec(head)?.[1] ?? 0);
            if (received.length < headEnd + 4 + length) return;
            socket.off('data', onData);
            socket.off('error', reject);
            resolve(Number(head.slice(9, 12)));
          };
          socket.on('data', onData);
          socket.once('error', reject);
          socket.write(ask);
        });
        if (status !== 200) failed++;
        requests++;
        latencies.push(performance.now() - started);
      }
      socket.destroy();
    }),
  );
  return { requests, failed, p50: median(latencies), p99: percentile(latencies, 99) };
}

function load(url: string, hosts: readonly string[]): Promise<LoadFigures & { cpuMicros: number }> {
  const before = process.cpuUsage();
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [...process.execArgv, fileURLToPath(import.meta.url), '--load', url, hosts.join(',')], {
      stdio: ['ignore', 'pipe', 'inherit'],
      env: process.env,
    });
    let out = '';
    child.stdout.on('data', (chunk: Buffer) => (out += chunk.toString()));
    child.once('error', reject);
    child.once('exit', (code) => {
      const used = process.cpuUsage(before);
      if (code !== 0) reject(new Error(`load generator exited ${code}`));
      else resolve({ ...(JSON.parse(out) as LoadFigures), cpuMicros: used.user + used.system });
    });
  });
}

if (process.argv[2] === '--load') {
  process.stdout.write(JSON.stringify(await generateLoad(new URL(process.argv[3] ?? ''), (process.argv[4] ?? '').split(','))));
} else {
  const database = await createTestDatabase();
  const gateway = await startGatewayHarness({ database, livekit: null });
  gateway.deps.logger.level = 'warn';
  const tenants = Array.from({ length: tenantCount }, () => uniqueSlug('bench'));
  for (const tenant of tenants) {
    await gateway.provision(tenant, (m) => {
      m.spec.plan.requestsPerMinute = 1_000_000;
    });
  }
  const gatewayServer = await gateway.listen();
  const bare = express();
  bare.get('/constant', (_req, res) => {
    res.json({ tenant: 'bench', displayName: 'Bench', primaryColor: '#112233' });
  });
  const bareServer = await startServer(bare, {
    port: 0,
    logger: createLogger({ name: 'bench', level: 'silent' }),
    lifecycle: createLifecycle(),
  });
  try {
    const hosts = tenants.map((tenant) => `${tenant}.localhost`);
    console.log(
      `GET /v1/branding beside a bare express 5 handler: ${vus} connections from ${Math.min(addresses, vus)} addresses to ${tenantCount} tenants, ` +
        `${rounds} × ${seconds} s each, Node ${process.version}`,
    );
    // Warm-up, not counted: the gateway's code paths are compiled by the JIT during the first thousands of requests.
    await load(`${bareServer.url}/constant`, ['']);
    await load(`${gatewayServer.url}/v1/branding`, hosts);
    const ratios: number[] = [];
    const cpuRatios: number[] = [];
    let failures = 0;
    for (let round = 0; round < rounds; round++) {
      const bareFigures = await load(`${bareServer.url}/constant`, ['']);
      const branding = await load(`${gatewayServer.url}/v1/branding`, hosts);
      failures += bareFigures.failed + branding.failed;
      const [bareRps, brandingRps] = [bareFigures.requests / seconds, branding.requests / seconds];
      const [bareCpu, brandingCpu] = [bareFigures.cpuMicros / bareFigures.requests, branding.cpuMicros / branding.requests];
      ratios.push(brandingRps / bareRps);
      cpuRatios.push(bareCpu / brandingCpu);
      console.log(
        `round ${round}: bare ${bareRps.toFixed(0)} req/s (p50 ${ms(bareFigures.p50)}, ${bareCpu.toFixed(0)} µs CPU/req) | ` +
          `branding ${brandingRps.toFixed(0)} req/s (p50 ${ms(branding.p50)}, p99 ${ms(branding.p99)}, ${brandingCpu.toFixed(0)} µs CPU/req) | ` +
          `${(brandingRps / bareRps).toFixed(3)}× req/s, ${(bareCpu / brandingCpu).toFixed(3)}× CPU | load ${loadavg()[0]?.toFixed(1)}`,
      );
    }
    console.log(`median: ${median(ratios).toFixed(3)}× the bare handler's req/s, ${median(cpuRatios).toFixed(3)}× its CPU per request`);
    // Fast failures would flatter the figures.
    if (failures > 0) {
      console.error(`${failures} requests failed: these figures are not throughput`);
      process.exitCode = 1;
    }
  } finally {
    await bareServer.close();
    await gateway.close();
    await database.dispose();
  }
}
