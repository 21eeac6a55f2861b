import { randomBytes } from 'node:crypto';
import { Redis } from 'ioredis';
import { captureLogger, freePort, testRedisUrl } from '@mindbot/testing';
import { publishRevokedSessions, REVOKED_SESSIONS_KEY, RevokedSessionList } from './revoked-sessions.js';

const sessionId = () => `ses_test_${randomBytes(8).toString('hex')}`;
const inMinutes = (minutes: number) => Date.now() + minutes * 60_000;

/** A client as the services build it: fails commands fast while disconnected, reconnects quickly. */
function client(url = testRedisUrl(), name?: string): Redis {
  const redis = new Redis(url, {
    lazyConnect: true,
    enableOfflineQueue: false,
    maxRetriesPerRequest: 1,
    connectTimeout: 500,
    retryStrategy: () => 100,
    ...(name ? { connectionName: name } : {}),
  });
  redis.on('error', () => undefined);
  redis.connect().catch(() => undefined);
  return redis;
}

async function eventually(check: () => boolean, withinMs: number): Promise<number> {
  const start = Date.now();
  while (!check()) {
    if (Date.now() - start > withinMs) throw new Error(`not within ${withinMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  return Date.now() - start;
}

describe('the revoked-session list', () => {
  const publisher = client();
  const lists: RevokedSessionList[] = [];
  const clients: Redis[] = [publisher];
  const listOn = (redis: Redis, options: ConstructorParameters<typeof RevokedSessionList>[2] = {}) => {
    const list = new RevokedSessionList(redis, captureLogger('revocations').logger, { resyncMs: 3_600_000, ...options });
    lists.push(list);
    return list;
  };

  afterAll(() => {
    for (const list of lists) list.close();
    for (const redis of clients) redis.disconnect();
  });

  it('reaches a running process through the channel within a second, with no resync', async () => {
    const redis = client();
    clients.push(redis);
    const list = listOn(redis);
    await list.firstLoad;
    const revoked = sessionId();
    expect(list.has(revoked)).toBe(false);
    await publishRevokedSessions(publisher, [{ sessionId: revoked, until: inMinutes(11) }]);
    expect(await eventually(() => list.has(revoked), 1_000)).toBeLessThan(1_000);
  });

  it('is filled from Redis when a process starts after the revocation', async () => {
    const revoked = sessionId();
    await publishRevokedSessions(publisher, [{ sessionId: revoked, until: inMinutes(11) }]);
    const redis = client();
    clients.push(redis);
    const list = listOn(redis);
    await list.firstLoad;
    expect(list.has(revoked)).toBe(true);
    expect(list.has(sessionId())).toBe(false);
  });

  it('drops entries once the tokens they cover have expired, in Redis and in memory', async () => {
    const soon = sessionId();
    const later = sessionId();
    const redis = client();
    clients.push(redis);
    const list = listOn(redis, { resyncMs: 100 });
    await list.firstLoad;
    await publishRevokedSessions(publisher, [
      { sessionId: soon, until: Date.now() + 300 },
      { sessionId: later, until: inMinutes(11) },
    ]);
    await eventually(() => list.has(soon) && list.has(later), 1_000);
    await eventually(() => !list.has(soon), 2_000);
    expect(list.has(later)).toBe(true);
    // The next publish removes what has expired from the shared list too.
    await publishRevokedSessions(publisher, [{ sessionId: sessionId(), until: inMinutes(11) }]);
    expect(await publisher.zscore(REVOKED_SESSIONS_KEY, soon)).toBeNull();
    expect(Number(await publisher.zscore(REVOKED_SESSIONS_KEY, later))).toBeGreaterThan(Date.now());
  });

  it('catches up on what was published while its subscription was cut, as soon as it reconnects', async () => {
    const name = `revocation-test-${randomBytes(4).toString('hex')}`;
    const redis = client(testRedisUrl(), name);
    clients.push(redis);
    const list = listOn(redis);
    await list.firstLoad;
    // Cut this list's subscription (its connection has the same name as its client, and is in pub/sub).
    const subscriberIds = String(await publisher.client('LIST'))
      .split('\n')
      .filter((line) => line.includes(`name=${name}`) && /\bsub=[1-9]/.test(line))
      .map((line) => /\bid=(\d+)/.exec(line)?.[1]);
    expect(subscriberIds).toHaveLength(1);
    await publisher.client('KILL', 'ID', String(subscriberIds[0]));
    const missed = sessionId();
    await publishRevokedSessions(publisher, [{ sessionId: missed, until: inMinutes(11) }]);
    await eventually(() => list.has(missed), 2_000);
  });

  it('never holds verification up when Redis is away: the first load gives up, what the process adds itself still counts', async () => {
    const logged = captureLogger('revocations');
    const redis = client(`redis://127.0.0.1:${await freePort()}`);
    clients.push(redis);
    const list = new RevokedSessionList(redis, logged.logger, { firstLoadTimeoutMs: 200 });
    lists.push(list);
    const started = Date.now();
    await list.firstLoad;
    expect(Date.now() - started).toBeLessThan(1_000);
    expect(logged.lines.some((l) => l.level === 'warn' && String(l.msg).includes('not loaded yet'))).toBe(true);
    const local = sessionId();
    list.add([{ sessionId: local, until: inMinutes(11) }]);
    expect(list.has(local)).toBe(true);
    await expect(publishRevokedSessions(redis, [{ sessionId: sessionId(), until: inMinutes(11) }])).rejects.toThrow(/./);
  });

  it('without Redis (single-node) lists only what the process adds itself', async () => {
    const list = new RevokedSessionList(undefined, captureLogger('revocations').logger);
    await list.firstLoad;
    const local = sessionId();
    list.add([
      { sessionId: local, until: inMinutes(11) },
      { sessionId: sessionId(), until: Date.now() - 1 },
    ]);
    expect(list.has(local)).toBe(true);
    expect(list.size).toBe(1);
  });
});
