import type { Server } from 'node:http';
import request from 'supertest';
import { startSession, sweepAbandonedSessions } from '../domain/metering.js';
import { startBillingHarness, SERVICE_TOKEN, type BillingHarness } from '../testing/harness.js';

const LIMIT = 3;

// The plan's concurrentSessions, enforced by billing's session start (the one place that knows
// which sessions run): never more than the limit at once, under concurrency, and every way a
// session ends gives its slot back.
describe('billing: the plan limit of voice sessions running at once', () => {
  let h: BillingHarness;
  let server: Server;
  let keys = 0;

  beforeAll(async () => {
    h = await startBillingHarness({ concurrentSessions: LIMIT });
    server = h.app.listen(0, '127.0.0.1');
    for (const user of ['usr_l1', 'usr_l2', 'usr_l3', 'usr_l4']) await h.grant(h.tenantA, user);
  }, 120_000);

  afterAll(async () => {
    await new Promise((resolve) => server.close(resolve));
    await h.close();
  });

  const post = (tenant: string, path: string, body: object) =>
    request(server).post(`/internal/v1/tenants/${tenant}${path}`).set('Authorization', `Bearer ${SERVICE_TOKEN}`).send(body);
  const start = (userId: string, tenant = h.tenantA, startKey = `limit-key-${++keys}`) => post(tenant, '/sessions', { userId, startKey });
  const end = (id: string, tenant = h.tenantA) => post(tenant, `/sessions/${id}/end`, { elapsedSeconds: 0, reason: 'error' });
  const active = (tenant = h.tenantA) =>
    h.deps.tenants.forTenant(tenant).transaction((tx) => tx.voiceSession.count({ where: { status: 'active' } }));
  const held = async (userId: string) =>
    (
      (
        await request(server)
          .get('/v1/balance')
          .set('Authorization', `Bearer ${await h.token(h.tenantA, userId)}`)
      ).body as { heldSeconds: number }
    ).heldSeconds;
  const endAll = async () => {
    const ids = await h.deps.tenants
      .forTenant(h.tenantA)
      .transaction((tx) => tx.voiceSession.findMany({ where: { status: 'active' }, select: { id: true } }));
    for (const { id } of ids) expect((await end(id)).status).toBe(200);
  };

  beforeEach(async () => {
    await endAll();
  });

  it('answers 429 naming the limit once the tenant runs that many sessions, holding nothing for the refused user', async () => {
    const started = [];
    for (const user of ['usr_l1', 'usr_l2', 'usr_l3']) {
      const res = await start(user);
      expect(res.status).toBe(201);
      started.push(res.body as { sessionId: string });
    }
    const refused = await start('usr_l4');
    expect(refused.status).toBe(429);
    expect(refused.body).toMatchObject({
      code: 'rate_limited',
      reason: 'concurrent_sessions',
      limit: 'concurrentSessions',
      concurrentSessions: LIMIT,
    });
    expect(refused.body.detail).toContain(`${LIMIT} voice sessions running`);
    expect(await held('usr_l4')).toBe(0);
    expect(await active()).toBe(LIMIT);

    // Another tenant counts its own sessions.
    await h.grant(h.tenantB, 'usr_other');
    expect((await start('usr_other', h.tenantB)).status).toBe(201);

    // Ending a session (here: a start released after LiveKit failed, at zero seconds) frees its slot at once.
    expect((await end(started[0]?.sessionId ?? '')).status).toBe(200);
    expect((await start('usr_l4')).status).toBe(201);
    expect((await start('usr_l1')).status).toBe(429);
  });

  it('still answers a retried start of a running session at the limit (same startKey, same session)', async () => {
    await h.grant(h.tenantA, 'usr_retry');
    const first = await start('usr_retry', h.tenantA, 'retry-at-limit-0001');
    for (const user of ['usr_l2', 'usr_l3']) expect((await start(user)).status).toBe(201);
    const again = await start('usr_retry', h.tenantA, 'retry-at-limit-0001');
    expect(again.status).toBe(201);
    expect(again.body.sessionId).toBe(first.body.sessionId);
    expect(await active()).toBe(LIMIT);
  });

  it('admits exactly one of many concurrent starts racing for the last slot', async () => {
    const racers = Array.from({ length: 10 }, (_, i) => `usr_race_${i}`);
    for (const user of racers) await h.grant(h.tenantA, user);
    for (const user of ['usr_l1', 'usr_l2']) expect((await start(user)).status).toBe(201);
    const results = await Promise.all(racers.map((user) => start(user)));
    expect(results.map((r) => r.status).sort()).toEqual([201, ...Array.from({ length: 9 }, () => 429)]);
    expect(await active()).toBe(LIMIT);
    expect(await h.ledgerProblems(h.tenantA)).toEqual([]);
  }, 60_000);

  it('gives the slots of abandoned sessions back when the sweeper closes them', async () => {
    for (const user of ['usr_l1', 'usr_l2', 'usr_l3']) expect((await start(user)).status).toBe(201);
    expect((await start('usr_l4')).status).toBe(429);
    h.clock.advance(h.billing.metering.heartbeatTimeoutSeconds + 60);
    expect(await sweepAbandonedSessions(h.deps.tenants.forTenant(h.tenantA), h.billing.metering, h.clock.now())).toBe(LIMIT);
    expect((await start('usr_l4')).status).toBe(201);
  });

  it('admits exactly the limit when far more starts race than it admits without queueing (shared admission far from the limit)', async () => {
    // Above 32 (start_tickets in tenant migration 0019) starts far from the limit do not queue
    // behind each other; the last ones must still stop at the limit exactly.
    const limit = 40;
    const users = Array.from({ length: 70 }, (_, i) => `usr_wide_${i}`);
    for (const user of users) await h.grant(h.tenantB, user);
    const scope = h.deps.tenants.forTenant(h.tenantB);
    const before = await active(h.tenantB);
    const results = await Promise.all(
      users.map((userId, i) =>
        startSession(scope, { userId, startKey: `wide-${i}`, persona: null }, h.billing.metering, h.clock.now(), {
          tenant: h.tenantB,
          concurrentSessions: limit,
        }),
      ),
    );
    expect(results.filter((r) => r.ok)).toHaveLength(limit - before);
    expect(results.flatMap((r) => (r.ok ? [] : [r.failure]))).toEqual(
      Array.from({ length: users.length - (limit - before) }, () => 'concurrent_sessions'),
    );
    expect(await active(h.tenantB)).toBe(limit);
    expect(await h.ledgerProblems(h.tenantB)).toEqual([]);
  }, 120_000);
});
