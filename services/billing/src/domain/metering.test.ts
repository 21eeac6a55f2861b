import type { Server } from 'node:http';
import request from 'supertest';
import { startBillingHarness, SERVICE_TOKEN, type BillingHarness } from '../testing/harness.js';
import { PLATFORM_EVENT_QUEUE } from '@mindbot/jobs';
import { expireLots, sweepAbandonedSessions } from './metering.js';

interface SessionBody {
  sessionId: string;
  status: string;
  settledSeconds: number;
  chargedSeconds: number;
  remainingSeconds: number;
  action: string;
}

describe('metering voice sessions against the minute ledger', () => {
  let h: BillingHarness;
  let server: Server;
  let keyCounter = 0;
  beforeAll(async () => {
    h = await startBillingHarness({ chunkSeconds: 60, warnSeconds: 120 });
    server = h.app.listen(0, '127.0.0.1');
  }, 120_000);
  afterAll(async () => {
    await new Promise((resolve) => server.close(resolve));
    await h.close();
  });

  const startKey = () => `start-key-${Date.now()}-${++keyCounter}`;
  const post = (tenant: string, path: string, body: object) =>
    request(server).post(`/internal/v1/tenants/${tenant}${path}`).set('Authorization', `Bearer ${SERVICE_TOKEN}`).send(body);
  const start = async (userId: string, tenant = h.tenantA) => post(tenant, '/sessions', { userId, startKey: startKey() });
  const beat = (id: string, elapsedSeconds: number, tenant = h.tenantA) => post(tenant, `/sessions/${id}/heartbeat`, { elapsedSeconds });
  const end = (id: string, elapsedSeconds: number, tenant = h.tenantA) =>
    post(tenant, `/sessions/${id}/end`, { elapsedSeconds, reason: 'user_hangup' });
  const balance = async (userId: string, tenant = h.tenantA) =>
    (
      await request(server)
        .get('/v1/balance')
        .set('Authorization', `Bearer ${await h.token(tenant, userId)}`)
    ).body as { availableSeconds: number; totalSeconds: number; heldSeconds: number; lots: { remainingSeconds: number }[] };
  const entryCount = (tenant = h.tenantA) => h.deps.tenants.forTenant(tenant).transaction((tx) => tx.ledgerEntry.count());

  it('refuses to start a session without minutes with 402 and a clear reason, writing nothing', async () => {
    const before = await entryCount();
    const res = await start('usr_m_empty');
    expect(res.status).toBe(402);
    expect(res.body).toMatchObject({ code: 'payment_required', reason: 'no_minutes' });
    expect(await entryCount()).toBe(before);
  });

  it('ends a session once when two ends race, and answers every end, then or later, with the same final state', async () => {
    await h.grant(h.tenantA, 'usr_m_end_race', await h.packageOf(h.tenantA, 100));
    const session = (await start('usr_m_end_race')).body as SessionBody;
    h.clock.advance(41);
    const ends = await Promise.all([end(session.sessionId, 40), end(session.sessionId, 41)]);
    expect(ends.map((r) => r.status)).toEqual([200, 200]);
    const [first, second] = ends.map((r) => r.body as SessionBody);
    expect(first).toMatchObject({ status: 'ended', remainingSeconds: 0, action: 'stop' });
    expect(second).toEqual(first);
    const charged = first?.chargedSeconds ?? -1;
    expect([40, 41]).toContain(charged);
    const later = await end(session.sessionId, 41);
    expect(later.status).toBe(200);
    expect(later.body).toEqual(first);
    expect(await balance('usr_m_end_race')).toMatchObject({ totalSeconds: 100 - charged, heldSeconds: 0 });
    expect(await h.ledgerProblems(h.tenantA)).toEqual([]);
  });

  it('reserves on start, settles in chunks, ends to the second, and spends the first-expiring lot first', async () => {
    const pkg = await h.packageOf(h.tenantA, 100);
    await h.grant(h.tenantA, 'usr_m1', pkg); // expires first
    await h.grant(h.tenantA, 'usr_m1', pkg);
    const started = await start('usr_m1');
    const entriesAtStart = await entryCount();
    expect(started.status).toBe(201);
    const session = started.body as SessionBody;
    expect(session).toMatchObject({ status: 'active', remainingSeconds: 200, action: 'continue' });
    expect(await balance('usr_m1')).toMatchObject({ totalSeconds: 200, heldSeconds: 60, availableSeconds: 140 });

    h.clock.advance(31);
    const first = await beat(session.sessionId, 30);
    expect(first.body).toMatchObject({ settledSeconds: 30, chargedSeconds: 30, remainingSeconds: 170, action: 'continue' });
    expect((await beat(session.sessionId, 30)).body).toMatchObject({ settledSeconds: 30, chargedSeconds: 30 }); // a retry
    expect((await beat(session.sessionId, 12)).body).toMatchObject({ settledSeconds: 30, chargedSeconds: 30 }); // a late, reordered one
    // The 30 s fit in the hold: the balance counts them (from the first-expiring lot), the ledger waits for the capture.
    expect(await balance('usr_m1')).toMatchObject({
      totalSeconds: 170,
      heldSeconds: 30,
      availableSeconds: 140,
      lots: [{ remainingSeconds: 70 }, { remainingSeconds: 100 }],
    });
    expect(await entryCount()).toBe(entriesAtStart);
    h.clock.advance(100);
    const second = await beat(session.sessionId, 125);
    expect(second.body).toMatchObject({ settledSeconds: 125, chargedSeconds: 125, remainingSeconds: 75, action: 'warn' });
    const lots = (await balance('usr_m1')).lots.map((l) => l.remainingSeconds);
    expect(lots).toEqual([75]); // the first lot is spent entirely before the second is touched
    const ended = await end(session.sessionId, 131);
    expect(ended.body).toMatchObject({ status: 'ended', settledSeconds: 131, chargedSeconds: 131, remainingSeconds: 0, action: 'stop' });
    expect(await balance('usr_m1')).toMatchObject({ totalSeconds: 69, heldSeconds: 0, availableSeconds: 69 });
    const again = await end(session.sessionId, 150);
    expect(again.body).toMatchObject({ status: 'ended', settledSeconds: 131 });
    // The history, newest first: the settle of 125 s captured them all (the 30 pending too), the
    // whole first lot, then 25 s of the second.
    const history = await request(server)
      .get('/v1/history')
      .set('Authorization', `Bearer ${await h.token(h.tenantA, 'usr_m1')}`);
    expect((history.body.entries as { kind: string; seconds: number }[]).map((e) => [e.kind, e.seconds])).toEqual([
      ['usage', -6],
      ['usage', -25],
      ['usage', -100],
      ['credit', 100],
      ['credit', 100],
    ]);
    expect(await h.ledgerProblems(h.tenantA)).toEqual([]);
  });

  it('writes the ledger once per half chunk of heartbeats, keeping every second charged and the hold ahead', async () => {
    await h.grant(h.tenantA, 'usr_chunk', await h.packageOf(h.tenantA, 1000));
    const key = startKey();
    const { sessionId } = (await post(h.tenantA, '/sessions', { userId: 'usr_chunk', startKey: key })).body as SessionBody;
    const entriesOf = () =>
      h.deps.tenants
        .forTenant(h.tenantA)
        .transaction((tx) => tx.ledgerEntry.findMany({ where: { sessionId }, orderBy: { id: 'asc' }, select: { seconds: true } }));
    // Heartbeats every 5 s: the hold (60 s) covers them while at least half a chunk (30 s) is left ahead.
    const seen: { entries: number; remaining: number }[] = [];
    for (let t = 5; t <= 120; t += 5) {
      h.clock.advance(5);
      const res = await beat(sessionId, t);
      expect(res.body).toMatchObject({ settledSeconds: t, chargedSeconds: t, remainingSeconds: 1000 - t });
      seen.push({ entries: (await entriesOf()).length, remaining: (await balance('usr_chunk')).availableSeconds });
    }
    // Captures at 35 s (5 + 30 > 60 - 30), then every 35 s: 35, 70, 105.
    expect((await entriesOf()).map((e) => e.seconds)).toEqual([-35, -35, -35]);
    expect(seen.map((s) => s.entries)).toEqual([0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 1, 1, 1, 2, 2, 2, 2, 2, 2, 2, 3, 3, 3, 3]);
    // Whatever is pending, the user's available time is what is left less the hold ahead (never under half a chunk).
    for (const [i, s] of seen.entries()) {
      const t = 5 * (i + 1);
      expect(1000 - t - s.remaining).toBeGreaterThanOrEqual(30);
      expect(1000 - t - s.remaining).toBeLessThanOrEqual(60);
    }
    // A retried start answers the same: the seconds used since the last capture are spent.
    expect((await post(h.tenantA, '/sessions', { userId: 'usr_chunk', startKey: key })).body).toMatchObject({
      sessionId,
      chargedSeconds: 120,
      remainingSeconds: 880,
    });
    const ended = (await end(sessionId, 123)).body as SessionBody;
    expect(ended).toMatchObject({ status: 'ended', settledSeconds: 123, chargedSeconds: 123 });
    expect((await entriesOf()).map((e) => e.seconds)).toEqual([-35, -35, -35, -18]);
    expect(await balance('usr_chunk')).toMatchObject({ totalSeconds: 877, heldSeconds: 0, availableSeconds: 877 });
    expect(await h.ledgerProblems(h.tenantA)).toEqual([]);
  });

  it('says stop at zero and never charges more than the balance', async () => {
    const pkg = await h.packageOf(h.tenantA, 40);
    await h.grant(h.tenantA, 'usr_m2', pkg);
    const session = (await start('usr_m2')).body as SessionBody;
    expect(session).toMatchObject({ remainingSeconds: 40, action: 'warn' });
    h.clock.advance(70);
    const res = await beat(session.sessionId, 65);
    expect(res.body).toMatchObject({ settledSeconds: 65, chargedSeconds: 40, remainingSeconds: 0, action: 'stop' });
    expect(await balance('usr_m2')).toMatchObject({ totalSeconds: 0, availableSeconds: 0 });
    expect((await start('usr_m2')).status).toBe(402);
    expect(await h.ledgerProblems(h.tenantA)).toEqual([]);
  });

  it('answers the same session for a retried start', async () => {
    await h.grant(h.tenantA, 'usr_m3');
    const key = startKey();
    const a = await post(h.tenantA, '/sessions', { userId: 'usr_m3', startKey: key });
    const b = await post(h.tenantA, '/sessions', { userId: 'usr_m3', startKey: key });
    expect(a.status).toBe(201);
    expect(b.body.sessionId).toBe(a.body.sessionId);
    expect((await balance('usr_m3')).heldSeconds).toBe(60);
    const other = await post(h.tenantA, '/sessions', { userId: 'usr_m3_other', startKey: key });
    expect(other.status).toBe(409);
  });

  it('refuses bad input with 400/422 and unknown or foreign sessions with 404, the ledger unchanged', async () => {
    await h.grant(h.tenantA, 'usr_m4');
    const session = (await start('usr_m4')).body as SessionBody;
    const before = await entryCount();
    for (const body of [
      { elapsedSeconds: -1 },
      { elapsedSeconds: 1.5 },
      { elapsedSeconds: 10 ** 9 },
      { elapsedSeconds: '10' },
      {},
      { elapsedSeconds: 5, extra: true },
    ]) {
      const res = await post(h.tenantA, `/sessions/${session.sessionId}/heartbeat`, body);
      expect(res.status).toBe(400);
    }
    const ahead = await beat(session.sessionId, 3600); // the session is seconds old
    expect(ahead.status).toBe(422);
    expect((await beat('vs_01jzzzzzzzzzzzzzzzzzzzzzzz', 1)).status).toBe(404);
    expect((await beat(session.sessionId, 1, h.tenantB)).status).toBe(404);
    expect((await beat('not-an-id', 1)).status).toBe(400);
    expect((await post(h.tenantA, '/sessions', { userId: 'usr_m4', startKey: 'short' })).status).toBe(400);
    expect(await entryCount()).toBe(before);
  });

  it('needs the service credential: none, wrong, or a user token is 401; an unknown tenant is 404', async () => {
    const userToken = await h.token(h.tenantA, 'usr_m5');
    for (const authorization of [undefined, 'Bearer wrong-token-wrong-token-wrong-token-wrong', `Bearer ${userToken}`, SERVICE_TOKEN]) {
      const req = request(server).post(`/internal/v1/tenants/${h.tenantA}/sessions`);
      const res = await (authorization === undefined ? req : req.set('Authorization', authorization)).send({
        userId: 'usr_m5',
        startKey: startKey(),
      });
      expect(res.status).toBe(401);
    }
    expect((await post('no-such-tenant', '/sessions', { userId: 'usr_m5', startKey: startKey() })).status).toBe(404);
  });

  it('closes abandoned sessions with the sweeper, releasing their reservation, charging what was reported', async () => {
    await h.grant(h.tenantA, 'usr_m6');
    const session = (await start('usr_m6')).body as SessionBody;
    h.clock.advance(20);
    await beat(session.sessionId, 20);
    h.clock.advance(200);
    const closed = await sweepAbandonedSessions(h.deps.tenants.forTenant(h.tenantA), h.billing.metering, h.clock.now());
    expect(closed).toBeGreaterThanOrEqual(1);
    const sessions = await request(server)
      .get('/v1/sessions')
      .set('Authorization', `Bearer ${await h.token(h.tenantA, 'usr_m6')}`);
    expect(sessions.body.sessions).toEqual([
      expect.objectContaining({ id: session.sessionId, status: 'ended', endReason: 'abandoned', chargedSeconds: 20 }),
    ]);
    expect(await balance('usr_m6')).toMatchObject({ totalSeconds: 3580, heldSeconds: 0 });
  });

  it('stops counting expired lots and writes off what they held', async () => {
    const tenant = h.tenantB;
    await h.grant(tenant, 'usr_m7');
    const later = new Date(h.clock.now().getTime() + 366 * 86_400_000);
    const scope = h.deps.tenants.forTenant(tenant);
    expect(await expireLots(scope, later)).toBe(1);
    const history = await scope.transaction((tx) => tx.ledgerEntry.findMany({ where: { userId: 'usr_m7' }, orderBy: { id: 'asc' } }));
    expect(history.map((e) => [e.kind, e.seconds])).toEqual([
      ['credit', 3600],
      ['expiry', -3600],
    ]);
    expect(await expireLots(scope, later)).toBe(0);
    expect(await h.ledgerProblems(tenant)).toEqual([]);
  });

  it('charges every second exactly once under hundreds of concurrent settle calls of many sessions of one user', async () => {
    const pkg = await h.packageOf(h.tenantA, 5000);
    await h.grant(h.tenantA, 'usr_conc', pkg);
    const sessions: string[] = [];
    for (let i = 0; i < 6; i++) sessions.push(((await start('usr_conc')).body as SessionBody).sessionId);
    h.clock.advance(400);
    // Each session reports 1..50 cumulative seconds ×6, in shuffled order, with retries of the same values.
    const calls: (() => Promise<request.Response>)[] = [];
    sessions.forEach((id, i) => {
      for (let n = 1; n <= 50; n++) calls.push(() => beat(id, n * (i + 1)));
    });
    for (let i = calls.length - 1; i > 0; i--) {
      const j = Math.floor(Math.random() * (i + 1));
      [calls[i], calls[j]] = [calls[j]!, calls[i]!];
    }
    const results = await Promise.all(calls.map((call) => call()));
    expect(results.filter((r) => r.status !== 200).map((r) => `${r.status} ${JSON.stringify(r.body)}`)).toEqual([]);
    const ends = await Promise.all(sessions.map((id, i) => end(id, 50 * (i + 1))));
    const expected = sessions.reduce((sum, _id, i) => sum + 50 * (i + 1), 0); // 1050
    expect(ends.reduce((sum, r) => sum + (r.body as SessionBody).chargedSeconds, 0)).toBe(expected);
    const usage = await h.deps.tenants
      .forTenant(h.tenantA)
      .transaction((tx) => tx.ledgerEntry.aggregate({ where: { userId: 'usr_conc', kind: 'usage' }, _sum: { seconds: true } }));
    expect(usage._sum.seconds).toBe(-expected);
    expect(await balance('usr_conc')).toMatchObject({ totalSeconds: 5000 - expected, heldSeconds: 0 });
    expect(await h.ledgerProblems(h.tenantA)).toEqual([]);
  }, 120_000);

  it('charges one session exactly once under concurrent, repeated and reordered heartbeats, and announces its low balance once', async () => {
    await h.grant(h.tenantA, 'usr_one_session', await h.packageOf(h.tenantA, 400));
    const { sessionId } = (await start('usr_one_session')).body as SessionBody;
    h.clock.advance(300);
    // 10..300 cumulative seconds, each sent three times, shuffled: the remaining time reaches the
    // warning threshold (120 s) at 280, so the first heartbeats there must send balance.low.
    const elapsed = Array.from({ length: 90 }, (_, i) => 10 * ((i % 30) + 1));
    for (let i = elapsed.length - 1; i > 0; i--) {
      const j = Math.floor(Math.random() * (i + 1));
      [elapsed[i], elapsed[j]] = [elapsed[j] ?? 0, elapsed[i] ?? 0];
    }
    const results = await Promise.all(elapsed.map((n) => beat(sessionId, n)));
    expect(results.filter((r) => r.status !== 200).map((r) => `${r.status} ${JSON.stringify(r.body)}`)).toEqual([]);
    const last = results.map((r) => r.body as SessionBody).filter((b) => b.settledSeconds === 300);
    expect(last.length).toBeGreaterThan(0);
    for (const body of last) expect(body).toMatchObject({ chargedSeconds: 300, remainingSeconds: 100, action: 'warn' });
    const ended = (await end(sessionId, 300)).body as SessionBody;
    expect(ended).toMatchObject({ status: 'ended', chargedSeconds: 300 });
    const scope = h.deps.tenants.forTenant(h.tenantA);
    const usage = await scope.transaction((tx) =>
      tx.ledgerEntry.aggregate({ where: { sessionId, kind: 'usage' }, _sum: { seconds: true }, _count: true }),
    );
    expect(usage._sum.seconds).toBe(-300);
    const lowBalance = await scope.transaction(
      (tx) => tx.$queryRaw<{ payload: { data: { secondsAvailable: number } } }[]>`
        SELECT payload FROM outbox_events WHERE topic = ${PLATFORM_EVENT_QUEUE}
          AND payload->>'type' = 'balance.low' AND payload->'data'->>'userId' = 'usr_one_session'`,
    );
    expect(lowBalance).toHaveLength(1);
    expect(lowBalance[0]?.payload.data.secondsAvailable).toBeLessThanOrEqual(120);
    expect(await balance('usr_one_session')).toMatchObject({ totalSeconds: 100, heldSeconds: 0 });
    expect(await h.ledgerProblems(h.tenantA)).toEqual([]);
  }, 120_000);

  it('never goes below zero when concurrent sessions race for the last seconds', async () => {
    const pkg = await h.packageOf(h.tenantA, 300);
    await h.grant(h.tenantA, 'usr_last', pkg);
    const started = await Promise.all(Array.from({ length: 8 }, () => start('usr_last')));
    const sessions = started.filter((r) => r.status === 201).map((r) => (r.body as SessionBody).sessionId);
    expect(sessions).toHaveLength(5); // 5 × 60 s reserved; the rest were refused
    expect(started.filter((r) => r.status === 402)).toHaveLength(3);
    h.clock.advance(200);
    const calls = sessions.flatMap((id) => Array.from({ length: 30 }, (_, n) => () => beat(id, (n + 1) * 5)));
    const results = await Promise.all(calls.map((call) => call()));
    expect(results.every((r) => r.status === 200)).toBe(true);
    const ends = await Promise.all(sessions.map((id) => end(id, 150)));
    expect(ends.reduce((sum, r) => sum + (r.body as SessionBody).chargedSeconds, 0)).toBe(300);
    expect(await balance('usr_last')).toMatchObject({ totalSeconds: 0, availableSeconds: 0 });
    expect(await h.ledgerProblems(h.tenantA)).toEqual([]);
  }, 120_000);
  it('charges seconds used before a lot expired to that lot, whether the expiry or the next heartbeat comes first', async () => {
    const scope = h.deps.tenants.forTenant(h.tenantB);
    const lotsOf = (userId: string) =>
      scope.transaction((tx) =>
        tx.ledgerEntry.findMany({ where: { userId }, orderBy: { id: 'asc' }, select: { kind: true, seconds: true, lotId: true } }),
      );
    // Two users, each with a lot expiring in 60 s and one for a year; each talks 20 s (pending: no capture yet).
    for (const userId of ['usr_exp_first', 'usr_beat_first']) {
      await h.grant(h.tenantB, userId, await h.packageOf(h.tenantB, 1000));
      await scope.transaction(async (tx) => {
        await tx.$executeRaw`UPDATE minute_lots SET expires_at = ${new Date(h.clock.now().getTime() + 60_000)} WHERE user_id = ${userId}`;
      });
      await h.grant(h.tenantB, userId, await h.packageOf(h.tenantB, 1000));
    }
    const a = ((await start('usr_exp_first', h.tenantB)).body as SessionBody).sessionId;
    const b = ((await start('usr_beat_first', h.tenantB)).body as SessionBody).sessionId;
    h.clock.advance(21);
    for (const id of [a, b]) expect((await beat(id, 20, h.tenantB)).body).toMatchObject({ chargedSeconds: 20 });
    expect((await lotsOf('usr_exp_first')).filter((e) => e.kind === 'usage')).toEqual([]);
    h.clock.advance(60); // the first lots have expired

    // The heartbeat comes first: though its 5 s would fit in the hold, it captures, taking the 20 s
    // from the expired lot (spendable when they were used) and the new 5 s from the other.
    expect((await beat(b, 25, h.tenantB)).body).toMatchObject({ settledSeconds: 25, chargedSeconds: 25 });
    // The write-off comes first: it captures the session's 20 s from the expiring lot, then writes off the rest of it.
    expect(await expireLots(scope, h.clock.now())).toBe(2);
    const [expiring] = await lotsOf('usr_exp_first');
    expect((await lotsOf('usr_exp_first')).map((e) => [e.kind, e.seconds, e.lotId === expiring?.lotId])).toEqual([
      ['credit', 1000, true],
      ['credit', 1000, false],
      ['usage', -20, true],
      ['expiry', -980, true],
    ]);
    const [first] = await lotsOf('usr_beat_first');
    expect((await lotsOf('usr_beat_first')).map((e) => [e.kind, e.seconds, e.lotId === first?.lotId])).toEqual([
      ['credit', 1000, true],
      ['credit', 1000, false],
      ['usage', -20, true],
      ['usage', -5, false],
      ['expiry', -980, true],
    ]);
    for (const id of [a, b]) expect((await end(id, 50, h.tenantB)).body).toMatchObject({ status: 'ended', chargedSeconds: 50 });
    expect(await balance('usr_exp_first', h.tenantB)).toMatchObject({ totalSeconds: 970, heldSeconds: 0 });
    expect(await balance('usr_beat_first', h.tenantB)).toMatchObject({ totalSeconds: 970, heldSeconds: 0 });
    expect(await h.ledgerProblems(h.tenantB)).toEqual([]);
  });
});
