import { Redis } from 'ioredis';
import { newId } from '@mindbot/ids';
import { REVOKED_SESSIONS_KEY, RevokedSessionList } from '@mindbot/redis';
import { captureLogger, testRedisUrl } from '@mindbot/testing';
import { REVOCATION_MARGIN_SECONDS, SessionRevocations } from './session-revocations.js';

async function eventually(check: () => Promise<boolean>, withinMs: number): Promise<void> {
  const start = Date.now();
  while (!(await check())) {
    if (Date.now() - start > withinMs) throw new Error(`not within ${withinMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

describe('announcing ended sessions', () => {
  const reader = new Redis(testRedisUrl());
  afterAll(() => reader.disconnect());
  const listed = async (sessionId: string) => Number(await reader.zscore(REVOKED_SESSIONS_KEY, sessionId));

  it('lists a session in this process at once and in Redis until its last access token has expired', async () => {
    const redis = new Redis(testRedisUrl());
    const local = new RevokedSessionList(undefined, captureLogger('sso').logger);
    try {
      const revocations = new SessionRevocations(redis, local, captureLogger('sso').logger, 600);
      const sessionId = newId('session');
      const before = Date.now();
      await revocations.announce([sessionId]);
      expect(local.has(sessionId)).toBe(true);
      // On a loaded machine the first publish may miss its 1 s limit; the background retry lists it then.
      await eventually(async () => (await listed(sessionId)) > 0, 10_000);
      const until = await listed(sessionId);
      expect(until).toBeGreaterThanOrEqual(before + (600 + REVOCATION_MARGIN_SECONDS) * 1000);
      expect(until).toBeLessThanOrEqual(Date.now() + (600 + REVOCATION_MARGIN_SECONDS) * 1000);
    } finally {
      redis.disconnect();
      local.close();
    }
  });

  it('answers at once when Redis refuses, and publishes in the background once Redis answers', async () => {
    // Not connected yet, and failing commands fast as the services' clients do.
    const redis = new Redis(testRedisUrl(), { lazyConnect: true, enableOfflineQueue: false, maxRetriesPerRequest: 1 });
    const logged = captureLogger('sso');
    const local = new RevokedSessionList(undefined, logged.logger);
    try {
      const revocations = new SessionRevocations(redis, local, logged.logger, 600);
      const sessionId = newId('session');
      await revocations.announce([sessionId]);
      expect(local.has(sessionId)).toBe(true);
      expect(revocations.pendingCount).toBe(1);
      expect(await listed(sessionId)).toBe(0);
      expect(logged.lines.some((l) => l.level === 'warn' && String(l.msg).includes('retrying in the background'))).toBe(true);

      // The refused command set the lazy client connecting; once it is ready, the retry gets through.
      // Redis holds the entry a moment before the publish promise settles, so wait for the pending list to empty.
      await eventually(() => Promise.resolve(revocations.pendingCount === 0), 5_000);
      expect(await listed(sessionId)).toBeGreaterThan(Date.now());
    } finally {
      redis.disconnect();
      local.close();
    }
  });
});
