import { spawn } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { jest } from '@jest/globals';
import request from 'supertest';
import { dispose } from '@livekit/rtc-node';
import type { RunningServer } from '@mindbot/http';
import { createTestDatabase, freePort, uniqueSlug, type TestDatabase } from '@mindbot/testing';
import { startBillingProcess, type BillingProcess } from './testing/billing-process.js';
import { LIVEKIT_DEV_KEY, LIVEKIT_DEV_SECRET, startGatewayHarness, type GatewayHarness } from './testing/harness.js';
import { livekitServerBinary, startLiveKit, type LiveKitServer } from './testing/livekit.js';

jest.setTimeout(180_000);

const loadTests = fileURLToPath(new URL('../../../load-tests/', import.meta.url));
const k6Binary = join(livekitServerBinary(), '..', 'k6');

function runK6(script: string, env: Record<string, string>): Promise<{ code: number | null; output: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(k6Binary, ['run', '--quiet', '--no-color', '--summary-export', env.SUMMARY ?? '', script], {
      cwd: loadTests,
      env: { PATH: process.env.PATH, K6_NO_USAGE_REPORT: 'true', ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout.on('data', (d: Buffer) => (output += d.toString()));
    child.stderr.on('data', (d: Buffer) => (output += d.toString()));
    child.once('error', reject);
    child.once('exit', (code) => resolve({ code, output }));
  });
}

// CI's short run of every k6 scenario against the real gateway, billing and livekit-server: a few
// iterations each; k6 exits non-zero when a threshold is missed. This machine is shared, so the
// latency thresholds are scaled (K6_THRESHOLD_SCALE); error-rate and check thresholds are not.
const SMOKE_SCALE = '10';
describe('load tests: k6 smoke run of every scenario', () => {
  let database: TestDatabase;
  let h: GatewayHarness;
  let billing: BillingProcess;
  let livekit: LiveKitServer;
  let server: RunningServer;
  let dir: string;

  beforeAll(async () => {
    database = await createTestDatabase();
    livekit = await startLiveKit({ apiKey: LIVEKIT_DEV_KEY, apiSecret: LIVEKIT_DEV_SECRET });
    const billingPort = await freePort();
    h = await startGatewayHarness({
      database,
      billingUrl: `http://127.0.0.1:${billingPort}`,
      livekit: { url: livekit.url, apiUrl: livekit.apiUrl },
    });
    const tenants = [];
    for (let t = 0; t < 3; t++) {
      const slug = uniqueSlug(`k6t${t}`);
      await h.provision(slug, (m) => {
        m.spec.plan.requestsPerMinute = 100_000;
      });
      const users = [];
      for (let u = 0; u < 2; u++) {
        const userId = `usr_k6_${t}_${u}`;
        await h.grantSeconds(slug, userId, 36_000);
        users.push({ userId, token: await h.token(slug, userId) });
      }
      tenants.push({ slug, users });
    }
    billing = await startBillingProcess({ databaseUrl: database.url, issuer: h.issuer, port: billingPort });
    server = await h.listen();
    // Warm up what a long run amortises (billing's JWKS fetch, per-tenant clients): a smoke run's
    // few samples would otherwise measure the first request of a cold process.
    for (const tenant of tenants) {
      for (const user of tenant.users)
        await request(h.app)
          .get('/v1/balance')
          .set('Host', `${tenant.slug}.localhost`)
          .set('Authorization', `Bearer ${user.token}`)
          .expect(200);
    }
    dir = await mkdtemp(join(tmpdir(), 'mindbot-k6-'));
    await writeFile(join(dir, 'seed.json'), JSON.stringify({ tenants }));
  });

  afterAll(async () => {
    await h.close();
    await billing.stop();
    await livekit.stop();
    await dispose();
    await database.dispose();
    await rm(dir, { recursive: true, force: true });
  });

  it.each(['branding.js', 'balance.js', 'voice-sessions.js', 'mixed.js'])('%s passes its thresholds', async (script) => {
    const summary = join(dir, `${script}.summary.json`);
    const { code, output } = await runK6(script, {
      MINDBOT_BASE_URL: server.url,
      MINDBOT_SEED: join(dir, 'seed.json'),
      K6_PROFILE: 'smoke',
      K6_THRESHOLD_SCALE: SMOKE_SCALE,
      SUMMARY: summary,
    });
    if (code !== 0) throw new Error(`k6 ${script} exited ${code}:\n${output.slice(-3000)}`);
    const metrics = (
      JSON.parse(await readFile(summary, 'utf8')) as {
        metrics: Record<string, { passes?: number; fails?: number; count?: number; thresholds?: Record<string, boolean> }>;
      }
    ).metrics;
    expect(metrics.checks?.fails).toBe(0);
    expect(metrics.checks?.passes).toBeGreaterThan(0);
    expect(metrics.http_reqs?.count).toBeGreaterThan(0);
    // In the summary export, a threshold's value says whether it was crossed.
    const crossed = Object.values(metrics).flatMap((m) => Object.entries(m.thresholds ?? {}).filter(([, failed]) => failed));
    expect(crossed).toEqual([]);
  });

  it('fails the run when a threshold is missed (the thresholds are real)', async () => {
    const summary = join(dir, 'impossible.summary.json');
    const { code } = await runK6('branding.js', {
      MINDBOT_BASE_URL: server.url,
      MINDBOT_SEED: join(dir, 'seed.json'),
      K6_PROFILE: 'smoke',
      K6_THRESHOLD_SCALE: '0.000001',
      SUMMARY: summary,
    });
    expect(code).toBe(99);
  });
});
