import { randomBytes } from 'node:crypto';
import { Redis } from 'ioredis';
import { testRedisUrl } from '@mindbot/testing';
import { countInWindows, uncountInWindows } from './fixed-window.js';
import { tenantKey } from './tenant-key.js';

describe('fixed-window counters in Redis', () => {
  const redis = new Redis(testRedisUrl(), { lazyConnect: true });
  const keyOf = (name: string) => tenantKey('fixed-window-test', randomBytes(4).toString('hex'), name);
  beforeAll(async () => {
    await redis.connect();
  });
  afterAll(async () => {
    await redis.quit();
  });

  it('counts every call in one window per key, telling how long until each window closes', async () => {
    const [a, b] = [keyOf('a'), keyOf('b')];
    expect(await countInWindows(redis, [a, b], 60)).toEqual([
      { count: 1, resetSeconds: 60 },
      { count: 1, resetSeconds: 60 },
    ]);
    const [second] = await countInWindows(redis, [a], 60);
    expect(second?.count).toBe(2);
    // A later count does not push the window out.
    await redis.expire(a, 5);
    expect((await countInWindows(redis, [a], 60))[0]).toEqual({ count: 3, resetSeconds: 5 });
  });

  it('counts exactly under concurrency', async () => {
    const key = keyOf('concurrent');
    const counts = await Promise.all(Array.from({ length: 50 }, () => countInWindows(redis, [key], 60)));
    expect(counts.map((c) => c[0]?.count).sort((x = 0, y = 0) => x - y)).toEqual(Array.from({ length: 50 }, (_, i) => i + 1));
  });

  it('takes a count back only from a window still open, never below zero', async () => {
    const key = keyOf('uncount');
    await countInWindows(redis, [key], 60);
    await uncountInWindows(redis, [key]);
    await uncountInWindows(redis, [key]);
    expect(await redis.get(key)).toBe('0');
    const gone = keyOf('gone');
    await uncountInWindows(redis, [gone]);
    expect(await redis.exists(gone)).toBe(0);
  });

  it('throws when Redis cannot answer, so the caller chooses to fail open or closed', async () => {
    const closed = new Redis('redis://127.0.0.1:1', {
      lazyConnect: true,
      enableOfflineQueue: false,
      maxRetriesPerRequest: 0,
      retryStrategy: () => null,
    });
    await expect(countInWindows(closed, [keyOf('x')], 60)).rejects.toThrow(/./);
    closed.disconnect();
  });
});
