import { spawn, type ChildProcess } from 'node:child_process';
import request from 'supertest';
import { Redis } from 'ioredis';
import { freePort, testRedisUrl, uniqueSlug } from '@mindbot/testing';
import { startGatewayHarness, type GatewayHarness } from '../testing/harness.js';

async function startRedisServer(port: number): Promise<ChildProcess> {
  const child = spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'], {
    stdio: 'ignore',
  });
  const probe = new Redis(port, '127.0.0.1', { lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null });
  probe.on('error', () => undefined);
  for (let i = 0; i < 50; i++) {
    try {
      await probe.connect();
      await probe.ping();
      probe.disconnect();
      return child;
    } catch {
      await new Promise((r) => setTimeout(r, 100));
    }
  }
  probe.disconnect();
  child.kill('SIGKILL');
  throw new Error('redis-server did not start');
}

async function stop(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((r) => child.once('exit', r));
  child.kill('SIGKILL');
  await exited;
}

describe('gateway: rate limits from the tenant plan', () => {
  let h: GatewayHarness;
  let tenant: string;

  beforeAll(async () => {
    h = await startGatewayHarness({ limitShares: { principal: 0.6, ip: 1 } });
    tenant = uniqueSlug('limited');
    await h.provision(tenant, (m) => {
      m.spec.plan.requestsPerMinute = 5;
    });
  });

  afterAll(async () => {
    await h.close();
  });

  it('answers RateLimit headers, then a 429 problem with Retry-After once the plan’s budget is spent', async () => {
    const statuses: number[] = [];
    let last: request.Response | undefined;
    for (let i = 0; i < 7; i++) {
      last = await request(h.app).get('/v1/branding').set('Host', `${tenant}.localhost`);
      statuses.push(last.status);
      if (i === 0) {
        expect(last.headers['ratelimit-limit']).toBe('5');
        expect(last.headers['ratelimit-remaining']).toBe('4');
        expect(last.headers['ratelimit-policy']).toBe('5;w=60');
      }
    }
    expect(statuses).toEqual([200, 200, 200, 200, 200, 429, 429]);
    expect(last?.body).toMatchObject({ code: 'rate_limited', limit: 'tenant' });
    expect(Number(last?.headers['retry-after'])).toBeGreaterThan(0);
    expect(last?.headers['ratelimit-remaining']).toBe('0');
  });

  it('keeps its counters in Redis under the tenant’s hash tag', async () => {
    const redis = new Redis(testRedisUrl());
    try {
      const keys = await redis.keys(`t:{${tenant}}:rl:*`);
      expect(keys.length).toBeGreaterThanOrEqual(2);
      expect(keys.every((k) => k.startsWith(`t:{${tenant}}:rl:`))).toBe(true);
    } finally {
      redis.disconnect();
    }
  });

  it('limits one principal to its share of the plan while others of the tenant go on', async () => {
    const roomy = uniqueSlug('roomy');
    await h.provision(roomy, (m) => {
      m.spec.plan.requestsPerMinute = 10;
    });
    const alice = await h.token(roomy, 'usr_alice', ['owner']);
    const bob = await h.token(roomy, 'usr_bob', ['owner']);
    const hit = (token: string) =>
      request(h.app).get('/v1/api-keys').set('Host', `${roomy}.localhost`).set('Authorization', `Bearer ${token}`);
    const aliceStatuses: number[] = [];
    for (let i = 0; i < 7; i++) aliceStatuses.push((await hit(alice)).status);
    expect(aliceStatuses).toEqual([200, 200, 200, 200, 200, 200, 429]);
    const refused = await hit(alice);
    expect(refused.body.limit).toBe('principal');
    expect((await hit(bob)).status).toBe(200);
  });

  it('survives a flood of concurrent requests: exactly the budget passes, the rest get 429, nothing crashes', async () => {
    const flooded = uniqueSlug('flood');
    await h.provision(flooded, (m) => {
      m.spec.plan.requestsPerMinute = 20;
    });
    const results = await Promise.all(
      Array.from({ length: 60 }, () => request(h.app).get('/v1/branding').set('Host', `${flooded}.localhost`)),
    );
    const counts = results.reduce<Record<number, number>>((acc, r) => ({ ...acc, [r.status]: (acc[r.status] ?? 0) + 1 }), {});
    expect(counts).toEqual({ 200: 20, 429: 40 });
    expect((await request(h.app).get('/healthz')).status).toBe(200);
  });

  it('falls back to local limits while Redis is down, logs it, and shares limits again when Redis returns', async () => {
    const port = await freePort();
    let redis = await startRedisServer(port);
    const own = await startGatewayHarness({
      database: h.database,
      redisUrl: `redis://127.0.0.1:${port}`,
      limitShares: { principal: 1, ip: 1 },
    });
    try {
      const slug = uniqueSlug('fallback');
      await own.provision(slug, (m) => {
        m.spec.plan.requestsPerMinute = 3;
      });
      const get = () => request(own.app).get('/v1/branding').set('Host', `${slug}.localhost`);
      expect((await get()).status).toBe(200);
      await stop(redis);
      const during: number[] = [];
      for (let i = 0; i < 4; i++) during.push((await get()).status);
      // The local limiter starts from zero in this process: 3 more pass, then it refuses.
      expect(during).toEqual([200, 200, 200, 429]);
      expect(
        own.log.lines.some((l) => l.msg === 'rate limiter: redis unreachable; applying the fallback policy' && l.policy === 'local'),
      ).toBe(true);

      redis = await startRedisServer(port);
      let recovered = false;
      for (let i = 0; i < 60 && !recovered; i++) {
        await get();
        recovered = own.log.lines.some((l) => l.msg === 'rate limiter: redis answers again; limits are shared again');
        if (!recovered) await new Promise((r) => setTimeout(r, 200));
      }
      expect(recovered).toBe(true);
      const check = new Redis(port, '127.0.0.1');
      try {
        expect((await check.keys(`t:{${slug}}:rl:*`)).length).toBeGreaterThan(0);
      } finally {
        check.disconnect();
      }
    } finally {
      await own.close();
      await stop(redis);
    }
  });

  it('refuses everything while Redis is down when configured fail-closed', async () => {
    const own = await startGatewayHarness({
      database: h.database,
      redisUrl: `redis://127.0.0.1:${await freePort()}`,
      whenRedisDown: 'closed',
    });
    try {
      const slug = uniqueSlug('closed');
      await own.provision(slug);
      const res = await request(own.app).get('/v1/branding').set('Host', `${slug}.localhost`);
      expect(res.status).toBe(429);
      expect(res.headers['retry-after']).toBeDefined();
    } finally {
      await own.close();
    }
  });
});
