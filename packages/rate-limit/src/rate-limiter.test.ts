import { jest } from '@jest/globals';
import { randomBytes } from 'node:crypto';
import { Redis } from 'ioredis';
import { createRedis, tenantKey } from '@mindbot/redis';
import { captureLogger, startRedisServer, testRedisUrl } from '@mindbot/testing';
import { RateLimiter, type RateLimiterOptions } from './rate-limiter.js';
import type { LimitRule } from './windows.js';

const MINUTE = 60_000;
const keyOf = (name: string) => tenantKey('rate-limit-test', randomBytes(4).toString('hex'), name);
const rule = (name: string, limit: number, key = keyOf(name)): LimitRule => ({ name, key, limit });
const fixed: RateLimiterOptions = { name: 'test', window: 'fixed', windowMs: MINUTE };
const sliding: RateLimiterOptions = { name: 'test', window: 'sliding', windowMs: MINUTE };

describe('the rate limiter in Redis', () => {
  const redis = new Redis(testRedisUrl(), { lazyConnect: true });
  const log = captureLogger('rate-limit');
  beforeAll(async () => {
    await redis.connect();
  });
  afterAll(async () => {
    await redis.quit();
  });

  describe('fixed windows', () => {
    it('counts every attempt in one window per key, telling how long until the window closes', async () => {
      const limiter = new RateLimiter(redis, log.logger, fixed);
      const [a, b] = [rule('a', 100), rule('b', 100)];
      expect(await limiter.take([a, b])).toMatchObject({ allowed: true, remaining: 99, resetSeconds: 60, source: 'redis' });
      expect([await redis.get(a.key), await redis.get(b.key)]).toEqual(['1', '1']);
      await limiter.take([a]);
      expect(await redis.get(a.key)).toBe('2');
      // A later count does not push the window out.
      await redis.expire(a.key, 5);
      expect(await limiter.take([a])).toMatchObject({ allowed: true, remaining: 97, resetSeconds: 5 });
      expect(await redis.get(a.key)).toBe('3');
      expect(await redis.pttl(a.key)).toBeLessThanOrEqual(5_000);
    });

    it('lets exactly the limit through under concurrency and, by default, does not count the refused', async () => {
      const limiter = new RateLimiter(redis, log.logger, fixed);
      const limited = rule('concurrent', 20);
      const decisions = await Promise.all(Array.from({ length: 50 }, () => limiter.take([limited])));
      expect(decisions.filter((d) => d.allowed)).toHaveLength(20);
      expect(await redis.get(limited.key)).toBe('20');
    });

    it('sends the attempts of one event-loop turn in one pipeline, and still lets exactly the limit through', async () => {
      const limiter = new RateLimiter(redis, log.logger, fixed);
      const limited = rule('one-turn', 10);
      const pipelines = jest.spyOn(redis, 'pipeline');
      try {
        const decisions = await Promise.all(Array.from({ length: 30 }, () => limiter.take([limited])));
        expect(pipelines).toHaveBeenCalledTimes(1);
        expect(decisions.filter((d) => d.allowed).map((d) => d.remaining)).toEqual([9, 8, 7, 6, 5, 4, 3, 2, 1, 0]);
        expect(decisions.slice(10).every((d) => !d.allowed && d.source === 'redis')).toBe(true);
        expect(await redis.get(limited.key)).toBe('10');
      } finally {
        pipelines.mockRestore();
      }
    });

    it('runs its script by text again when Redis has forgotten it (a restart, SCRIPT FLUSH), in a pipeline too', async () => {
      const limiter = new RateLimiter(redis, log.logger, fixed);
      const limited = rule('flushed', 3);
      await redis.script('FLUSH');
      const decisions = await Promise.all(Array.from({ length: 5 }, () => limiter.take([limited])));
      expect(decisions.map((d) => [d.allowed, d.source])).toEqual([
        [true, 'redis'],
        [true, 'redis'],
        [true, 'redis'],
        [false, 'redis'],
        [false, 'redis'],
      ]);
      expect(await redis.get(limited.key)).toBe('3');
    });

    it('counts refused attempts too when asked, against every rule', async () => {
      const limiter = new RateLimiter(redis, log.logger, { ...fixed, countRefused: true });
      const [ip, tenant] = [rule('ip', 2), rule('tenant', 100)];
      const allowed = [];
      for (let i = 0; i < 4; i++) allowed.push((await limiter.take([ip, tenant])).allowed);
      expect(allowed).toEqual([true, true, false, false]);
      expect([await redis.get(ip.key), await redis.get(tenant.key)]).toEqual(['4', '4']);
    });

    it('refuses with the rule whose window ends last, so Retry-After is long enough for every limit', async () => {
      const limiter = new RateLimiter(redis, log.logger, fixed);
      const [user, ip] = [rule('user', 1), rule('ip', 1)];
      await limiter.take([user, ip]);
      await redis.pexpire(user.key, 10_000);
      expect(await limiter.take([user, ip])).toMatchObject({ allowed: false, rule: 'ip', remaining: 0, resetSeconds: 60 });
    });

    it('gives a count back only to a window still open, never below zero', async () => {
      const limiter = new RateLimiter(redis, log.logger, fixed);
      const once = rule('give-back', 5);
      const taken = await limiter.take([once]);
      await limiter.giveBack([once], taken);
      await limiter.giveBack([once], taken);
      expect(await redis.get(once.key)).toBe('0');
      const gone = rule('gone', 5);
      await limiter.giveBack([gone], taken);
      expect(await redis.exists(gone.key)).toBe(0);
    });
  });

  describe('sliding windows', () => {
    it('weighs the previous window by how much of it still overlaps, and keeps counters per window', async () => {
      const limiter = new RateLimiter(redis, log.logger, sliding);
      const limited = rule('sliding', 10);
      const start = Math.floor(Date.now() / MINUTE) * MINUTE;
      const allowedAt = async (at: number, times: number) => {
        const allowed = [];
        for (let i = 0; i < times; i++) allowed.push((await limiter.take([limited], at)).allowed);
        return allowed.filter(Boolean).length;
      };
      expect(await allowedAt(start, 12)).toBe(10);
      // Half-way through the next window, half of the previous one still counts.
      expect(await allowedAt(start + MINUTE + MINUTE / 2, 8)).toBe(5);
      expect((await limiter.take([limited], start + MINUTE + MINUTE / 2)).resetSeconds).toBe(30);
      expect(await redis.keys(`${limited.key}:*`)).toHaveLength(2);
    });

    it('counts nothing unless every rule allows, and answers the rule with least room left', async () => {
      const limiter = new RateLimiter(redis, log.logger, sliding);
      const [tenant, principal] = [rule('tenant', 10), rule('principal', 2)];
      // One instant for all, so no window boundary falls between the attempts.
      const at = Math.floor(Date.now() / MINUTE) * MINUTE + 1_000;
      expect(await limiter.take([tenant, principal], at)).toMatchObject({ allowed: true, rule: 'principal', limit: 2, remaining: 1 });
      await limiter.take([tenant, principal], at);
      expect(await limiter.take([tenant, principal], at)).toMatchObject({ allowed: false, rule: 'principal', remaining: 0 });
      expect(await limiter.take([tenant], at)).toMatchObject({ allowed: true, rule: 'tenant', remaining: 7 });
    });
  });
});

describe('the rate limiter with a local pre-check (far from a limit, a process allows from counts it reserved in Redis ahead)', () => {
  const redis = new Redis(testRedisUrl(), { lazyConnect: true });
  const log = captureLogger('rate-limit-headroom');
  const withHeadroom: RateLimiterOptions = { ...sliding, localHeadroom: { share: 0.5 } };
  const countIn = async (limited: LimitRule) => {
    const counters = await redis.keys(`${limited.key}:*`);
    return (await Promise.all(counters.map((k) => redis.get(k)))).reduce((sum, v) => sum + Number(v), 0);
  };
  beforeAll(async () => {
    await redis.connect();
  });
  afterAll(async () => {
    await redis.quit();
  });

  it('lets exactly the limit through, most attempts far from it without waiting for a script', async () => {
    const limiter = new RateLimiter(redis, log.logger, withHeadroom);
    const limited = rule('headroom', 400);
    const scripts = jest.spyOn(redis, 'evalsha');
    try {
      const decisions = [];
      for (let i = 0; i < 500; i++) decisions.push(await limiter.take([limited]));
      expect(decisions.filter((d) => d.allowed)).toHaveLength(400);
      expect(decisions.slice(400).every((d) => !d.allowed && d.remaining === 0)).toBe(true);
      // The last half of the limit and the refusals go to the script attempt by attempt (300); below that, blocks of 25.
      expect(scripts.mock.calls.length).toBeLessThan(400);
      expect(await countIn(limited)).toBe(400);
    } finally {
      scripts.mockRestore();
    }
  });

  it('across two replicas sharing Redis, never lets more than the limit through', async () => {
    const [a, b] = [new RateLimiter(redis, log.logger, withHeadroom), new RateLimiter(redis, log.logger, withHeadroom)];
    const limited = rule('two-replicas', 400);
    let allowed = 0;
    for (let i = 0; i < 1000; i++) if ((await (i % 2 === 0 ? a : b).take([limited])).allowed) allowed++;
    expect(allowed).toBeLessThanOrEqual(400);
    // Early by at most what the other replica still holds reserved (one block of 25 each).
    expect(allowed).toBeGreaterThanOrEqual(350);
    // Per process, each would have let 400 through.
    expect(await countIn(limited)).toBeLessThanOrEqual(400);
  });

  it('gives counts back to the block they came from, so each given back can be taken again', async () => {
    const limiter = new RateLimiter(redis, log.logger, withHeadroom);
    const limited = rule('headroom-give-back', 400);
    let allowed = 0;
    let givenBack = 0;
    for (let i = 0; i < 600; i++) {
      const decision = await limiter.take([limited]);
      if (!decision.allowed) continue;
      allowed++;
      if (allowed % 10 === 0) {
        await limiter.giveBack([limited], decision);
        givenBack++;
      }
    }
    expect(allowed - givenBack).toBe(400);
  });
  it('decides without waiting only from reserved counts: nothing before a block is reserved, then allowances that were counted in Redis', async () => {
    const limiter = new RateLimiter(redis, log.logger, withHeadroom);
    const limited = rule('take-locally', 400);
    expect(limiter.takeLocally([limited])).toBeUndefined();
    expect(await countIn(limited)).toBe(0);
    expect((await limiter.take([limited])).allowed).toBe(true);
    let local = limiter.takeLocally([limited]);
    for (let i = 0; i < 50 && !local; i++) {
      await new Promise((r) => setTimeout(r, 10));
      local = limiter.takeLocally([limited]);
    }
    expect(local).toMatchObject({ allowed: true, source: 'redis', limit: 400 });
    // One counted by the script, the rest of its block (and the next, reserved as it is used) reserved in Redis ahead.
    let allowedLocally = 1;
    while (limiter.takeLocally([limited])) allowedLocally++;
    expect(allowedLocally).toBeLessThanOrEqual(200);
    expect(await countIn(limited)).toBeGreaterThanOrEqual(1 + allowedLocally);
    expect(await countIn(limited)).toBeLessThanOrEqual(400);
  });
});

describe('the rate limiter while Redis is away: every limiter falls back to the same limits in its own process', () => {
  it('enforces the limits locally, logs the switch once each way, and shares them in Redis again when it returns', async () => {
    const server = await startRedisServer();
    const log = captureLogger('rate-limit-outage');
    const client = createRedis(server.url, log.logger);
    const limiter = new RateLimiter(client, log.logger, { ...fixed, name: 'outage' });
    const limited = rule('outage', 3);
    const take = () => limiter.take([limited]);
    try {
      if (client.status !== 'ready') await new Promise<void>((resolve) => client.once('ready', () => resolve()));
      expect(await take()).toMatchObject({ allowed: true, source: 'redis' });

      const restarting = server.restart(2_000);
      await new Promise((r) => setTimeout(r, 300));
      const during = [];
      for (let i = 0; i < 4; i++) during.push(await take());
      // This process starts from zero: the full limit passes, then it refuses, with a Retry-After.
      expect(during.map((d) => [d.allowed, d.source])).toEqual([
        [true, 'local'],
        [true, 'local'],
        [true, 'local'],
        [false, 'local'],
      ]);
      expect(during[3]?.resetSeconds).toBeGreaterThan(0);
      const fallbacks = log.lines.filter((l) => l.msg === 'rate limiter: redis unreachable; applying the fallback policy');
      expect(fallbacks).toEqual([expect.objectContaining({ limiter: 'outage', policy: 'local' })]);
      expect(limiter.usingFallback).toBe(true);

      await restarting;
      let back = await take();
      for (let i = 0; i < 50 && back.source !== 'redis'; i++) {
        await new Promise((r) => setTimeout(r, 200));
        back = await take();
      }
      expect(back).toMatchObject({ allowed: true, source: 'redis' });
      expect(log.lines.filter((l) => l.msg === 'rate limiter: redis answers again; limits are shared again')).toHaveLength(1);
      expect(limiter.usingFallback).toBe(false);
    } finally {
      client.disconnect();
      await server.stop();
    }
  });

  it('gives back what the fallback counted', async () => {
    const log = captureLogger('rate-limit-closed-port');
    const client = createRedis('redis://127.0.0.1:1', log.logger);
    try {
      const limiter = new RateLimiter(client, log.logger, fixed);
      const limited = rule('closed-port', 1);
      const first = await limiter.take([limited]);
      expect(first).toMatchObject({ allowed: true, source: 'local' });
      await limiter.giveBack([limited], first);
      expect(await limiter.take([limited])).toMatchObject({ allowed: true, source: 'local' });
      expect(await limiter.take([limited])).toMatchObject({ allowed: false, source: 'local' });
    } finally {
      client.disconnect();
    }
  });

  it('keeps the counts in this process from the start when there is no Redis at all (single node)', async () => {
    const limiter = new RateLimiter(undefined, captureLogger().logger, sliding);
    const limited = rule('single-node', 2);
    const allowed = [];
    for (let i = 0; i < 3; i++) allowed.push((await limiter.take([limited])).allowed);
    expect(allowed).toEqual([true, true, false]);
  });

  it('allows or refuses everything instead when an operator chooses open or closed', async () => {
    const log = captureLogger('rate-limit-policies');
    const client = createRedis('redis://127.0.0.1:1', log.logger);
    try {
      const limited = rule('policy', 1);
      const open = new RateLimiter(client, log.logger, { ...sliding, whenRedisDown: 'open' });
      for (let i = 0; i < 3; i++) expect(await open.take([limited])).toMatchObject({ allowed: true, source: 'open' });
      const closed = new RateLimiter(client, log.logger, { ...sliding, whenRedisDown: 'closed' });
      expect(await closed.take([limited])).toMatchObject({ allowed: false, source: 'closed', resetSeconds: 60 });
    } finally {
      client.disconnect();
    }
  });
});
