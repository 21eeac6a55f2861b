import { jest } from '@jest/globals';
import { Room } from '@livekit/rtc-node';
import request from 'supertest';
import { agentDispatchSchema } from '@mindbot/sdk/agent-job';
import { AgentDispatchClient, RoomServiceClient } from 'livekit-server-sdk';
import { problemSchema, voiceSessionSchema } from '@mindbot/sdk/schemas';
import { newId } from '@mindbot/ids';
import { uniqueSlug } from '@mindbot/testing';
import { LIVEKIT_DEV_KEY, LIVEKIT_DEV_SECRET, type GatewayHarness } from '../testing/harness.js';
import type { LiveKitServer } from '../testing/livekit.js';
import { startVoiceStack, type VoiceStack } from '../testing/voice-stack.js';

jest.setTimeout(90_000);

async function eventually<T>(read: () => Promise<T>, ok: (value: T) => boolean, timeoutMs = 15_000): Promise<T> {
  const started = Date.now();
  for (;;) {
    const value = await read();
    if (ok(value) || Date.now() - started > timeoutMs) return value;
    await new Promise((r) => setTimeout(r, 200));
  }
}

interface SessionRow {
  status: string;
  settled_seconds: number;
  end_reason: string | null;
}

// Real parts: livekit-server (built from its Go module) on loopback with webhooks to the gateway,
// the billing service in its own process, Postgres and Redis; the user joins the room with the
// returned token through @livekit/rtc-node.
describe('gateway: voice sessions', () => {
  let stack: VoiceStack;
  let h: GatewayHarness;
  let livekit: LiveKitServer;
  let tenant: string;
  let rooms: RoomServiceClient;

  beforeAll(async () => {
    tenant = uniqueSlug('voice');
    stack = await startVoiceStack({
      provision: async (harness) => {
        await harness.provision(tenant);
      },
    });
    ({ h, livekit } = stack);
    rooms = new RoomServiceClient(livekit.apiUrl, LIVEKIT_DEV_KEY, LIVEKIT_DEV_SECRET);
  });

  afterAll(() => stack.stop());

  const start = async (userId: string, body: object = {}) =>
    request(h.app)
      .post('/v1/voice/sessions')
      .set('Host', `${tenant}.localhost`)
      .set('Authorization', `Bearer ${await h.token(tenant, userId)}`)
      .send(body);
  /** A user of the tenant, as SSO's sign-up leaves one (API keys may only act for these). */
  const addUser = (userId: string) =>
    h.deps.tenants.forTenant(tenant).transaction((tx) => tx.user.create({ data: { id: userId, email: `${userId}@voice.test` } }));
  const sessionsOf = (userId: string) => h.deps.tenants.forTenant(tenant).transaction((tx) => tx.voiceSession.count({ where: { userId } }));
  const sessionRow = (id: string) =>
    h.deps.tenants
      .forTenant(tenant)
      .transaction(
        async (tx) =>
          (await tx.$queryRaw<SessionRow[]>`SELECT status, settled_seconds, end_reason FROM voice_sessions WHERE id = ${id}`)[0],
      );

  it('refuses a user without minutes with a 402 problem that points to the packages, and creates no room', async () => {
    const res = await start('usr_broke');
    expect(res.status).toBe(402);
    expect(problemSchema.parse(res.body)).toMatchObject({ code: 'payment_required', reason: 'no_minutes', packagesUrl: '/v1/packages' });
    expect((await rooms.listRooms()).filter((r) => r.name.includes(tenant))).toEqual([]);
  });

  it('starts a session: billing reserves time, the room exists, the agent is dispatched with tenant/user/session, and the token joins that room only', async () => {
    await h.grantSeconds(tenant, 'usr_alice', 600);
    const res = await start('usr_alice', { startKey: 'alice-start-0001' });
    expect(res.status).toBe(201);
    const session = voiceSessionSchema.parse(res.body);
    expect(session).toMatchObject({ livekitUrl: livekit.url, room: `mb_${tenant}_${session.sessionId}` });
    expect(session.remainingSeconds).toBeGreaterThan(0);
    expect((await sessionRow(session.sessionId))?.status).toBe('active');

    const dispatches = await new AgentDispatchClient(livekit.apiUrl, LIVEKIT_DEV_KEY, LIVEKIT_DEV_SECRET).listDispatch(session.room);
    // (LiveKit also lists its implicit dispatch for unnamed workers, agentName "".)
    const named = dispatches.filter((d) => d.agentName !== '');
    // The tenant's plan keeps dedicated workers (the default), so its own agent name is dispatched.
    expect(named.map((d) => d.agentName)).toEqual([`tenant-${tenant}`]);
    const dispatch = agentDispatchSchema.parse(JSON.parse(named[0]?.metadata ?? '{}'));
    expect(dispatch).toMatchObject({
      tenant,
      userId: 'usr_alice',
      sessionId: session.sessionId,
      persona: { id: 'default', voice: 'aurora' },
    });
    // The job's credential is in the dispatch (for the worker) and nowhere a participant can read it.
    expect(dispatch.jobToken).toMatch(/^mbj_/);
    expect((await rooms.listRooms([session.room]))[0]?.metadata).not.toContain(dispatch.jobToken);
    expect(session.token).not.toContain(dispatch.jobToken);

    // A retried start with the same key answers the same session.
    const again = voiceSessionSchema.parse((await start('usr_alice', { startKey: 'alice-start-0001' })).body);
    expect(again.sessionId).toBe(session.sessionId);

    const room = new Room();
    await room.connect(session.livekitUrl, session.token, { autoSubscribe: false, dynacast: false });
    try {
      expect(room.name).toBe(session.room);
      const participants = await rooms.listParticipants(session.room);
      expect(participants.map((p) => p.identity)).toEqual(['usr_alice']);
      // The token is limited to its room: it names only that room and LiveKit's API refuses it.
      const claims = JSON.parse(Buffer.from(session.token.split('.')[1] ?? '', 'base64url').toString()) as {
        video: Record<string, unknown>;
        exp: number;
      };
      expect(claims.video).toMatchObject({ room: session.room, roomJoin: true, roomAdmin: false, roomCreate: false, roomList: false });
      expect(claims.exp * 1000).toBeLessThanOrEqual(Date.parse(session.tokenExpiresAt) + 1_000);
      for (const method of ['ListRooms', 'DeleteRoom']) {
        const api = await fetch(`${livekit.apiUrl}/twirp/livekit.RoomService/${method}`, {
          method: 'POST',
          headers: { authorization: `Bearer ${session.token}`, 'content-type': 'application/json' },
          body: JSON.stringify(method === 'DeleteRoom' ? { room: session.room } : {}),
        });
        expect([401, 403]).toContain(api.status);
      }
    } finally {
      await room.disconnect();
    }

    // The user hangs up: billing settles to the second, the room is gone.
    const ended = await request(h.app)
      .post(`/v1/voice/sessions/${session.sessionId}/end`)
      .set('Host', `${tenant}.localhost`)
      .set('Authorization', `Bearer ${await h.token(tenant, 'usr_alice')}`)
      .send({});
    expect(ended.status).toBe(200);
    expect(ended.body).toMatchObject({ sessionId: session.sessionId, status: 'ended' });
    expect((await sessionRow(session.sessionId))?.status).toBe('ended');
    expect((await rooms.listRooms([session.room])).length).toBe(0);
  });

  it('lets only the session’s user end it (another user of the tenant gets 404)', async () => {
    await h.grantSeconds(tenant, 'usr_bob', 600);
    const session = voiceSessionSchema.parse((await start('usr_bob')).body);
    const res = await request(h.app)
      .post(`/v1/voice/sessions/${session.sessionId}/end`)
      .set('Host', `${tenant}.localhost`)
      .set('Authorization', `Bearer ${await h.token(tenant, 'usr_mallory')}`)
      .send({});
    expect(res.status).toBe(404);
    expect((await sessionRow(session.sessionId))?.status).toBe('active');
    await rooms.deleteRoom(session.room);
  });

  it('ends idempotently whatever the timing: a second end, one after the other or at the same moment, answers 200 with the same final state; another user’s or a missing session 404', async () => {
    const endAs = async (sessionId: string, userId: string) =>
      request(h.app)
        .post(`/v1/voice/sessions/${sessionId}/end`)
        .set('Host', `${tenant}.localhost`)
        .set('Authorization', `Bearer ${await h.token(tenant, userId)}`)
        .send({});
    await h.grantSeconds(tenant, 'usr_erin', 600);

    // One after the other: the first end closed the room, the second still answers the final state.
    const first = voiceSessionSchema.parse((await start('usr_erin')).body);
    const ended = await endAs(first.sessionId, 'usr_erin');
    expect(ended.status).toBe(200);
    expect(ended.body).toMatchObject({ sessionId: first.sessionId, status: 'ended' });
    expect((await rooms.listRooms([first.room])).length).toBe(0);
    const again = await endAs(first.sessionId, 'usr_erin');
    expect(again.status).toBe(200);
    expect(again.body).toEqual(ended.body);
    // Another user's ended session answers exactly like a missing one.
    const foreign = await endAs(first.sessionId, 'usr_mallory');
    expect(foreign.status).toBe(404);
    const missing = await endAs(newId('voiceSession'), 'usr_erin');
    expect(missing.status).toBe(404);
    expect(problemSchema.parse(foreign.body).detail).toBe(problemSchema.parse(missing.body).detail);

    // At the same moment: both 200, one final state, charged once.
    const second = voiceSessionSchema.parse((await start('usr_erin')).body);
    const both = await Promise.all([endAs(second.sessionId, 'usr_erin'), endAs(second.sessionId, 'usr_erin')]);
    expect(both.map((r) => r.status)).toEqual([200, 200]);
    expect(both[0].body).toMatchObject({ sessionId: second.sessionId, status: 'ended' });
    expect(both[1].body).toEqual(both[0].body);
    expect((await endAs(second.sessionId, 'usr_erin')).body).toEqual(both[0].body);
    expect((await sessionRow(second.sessionId))?.status).toBe('ended');
    expect((await rooms.listRooms([second.room])).length).toBe(0);
  });

  it('settles the session in billing when LiveKit reports the room finished (signed webhook)', async () => {
    await h.grantSeconds(tenant, 'usr_carol', 600);
    const session = voiceSessionSchema.parse((await start('usr_carol')).body);
    await rooms.deleteRoom(session.room);
    const row = await eventually(
      () => sessionRow(session.sessionId),
      (r) => r?.status === 'ended',
    );
    expect(row?.status).toBe('ended');
    expect(
      h.log.lines.some((l) => l.msg === 'voice session room finished' && l.sessionId === session.sessionId && l.settled === true),
    ).toBe(true);
  });

  it('refuses an unsigned or forged LiveKit webhook and changes nothing', async () => {
    const body = JSON.stringify({
      event: 'room_finished',
      room: { name: 'x', metadata: JSON.stringify({ tenant, userId: 'u', sessionId: 'vs_x', startedAt: new Date().toISOString() }) },
    });
    const unsigned = await request(h.app).post('/v1/webhooks/livekit').set('Content-Type', 'application/webhook+json').send(body);
    expect(unsigned.status).toBe(401);
    const forged = await request(h.app)
      .post('/v1/webhooks/livekit')
      .set('Content-Type', 'application/webhook+json')
      .set('Authorization', 'eyJhbGciOiJIUzI1NiJ9.e30.x')
      .send(body);
    expect(forged.status).toBe(401);
  });

  it('refuses API keys without voice:sessions, and requires a userId from keys that have it', async () => {
    const admin = await h.token(tenant, 'usr_admin', ['admin']);
    const make = async (permissions: string[]) =>
      String(
        (
          await request(h.app)
            .post('/v1/api-keys')
            .set('Host', `${tenant}.localhost`)
            .set('Authorization', `Bearer ${admin}`)
            .send({ name: 'k', permissions })
        ).body.key,
      );
    const readOnly = await make(['api-keys:read']);
    expect(
      (
        await request(h.app)
          .post('/v1/voice/sessions')
          .set('Host', `${tenant}.localhost`)
          .set('X-Api-Key', readOnly)
          .send({ userId: 'usr_alice' })
      ).status,
    ).toBe(403);
    const voice = await make(['voice:sessions']);
    expect(
      (await request(h.app).post('/v1/voice/sessions').set('Host', `${tenant}.localhost`).set('X-Api-Key', voice).send({})).status,
    ).toBe(400);
    await addUser('usr_dave');
    await h.grantSeconds(tenant, 'usr_dave', 600);
    const res = await request(h.app)
      .post('/v1/voice/sessions')
      .set('Host', `${tenant}.localhost`)
      .set('X-Api-Key', voice)
      .send({ userId: 'usr_dave' });
    expect(res.status).toBe(201);
    await rooms.deleteRoom(voiceSessionSchema.parse(res.body).room);
  });
  describe('an API key starting a session for a user', () => {
    const createKey = async (environment: 'live' | 'test') => {
      const admin = await h.token(tenant, 'usr_admin', ['admin']);
      const res = await request(h.app)
        .post('/v1/api-keys')
        .set('Host', `${tenant}.localhost`)
        .set('Authorization', `Bearer ${admin}`)
        .send({ name: `voice-${environment}`, environment, permissions: ['voice:sessions'] });
      expect(res.status).toBe(201);
      return String(res.body.key);
    };
    const startWith = (key: string, userId: string) =>
      request(h.app).post('/v1/voice/sessions').set('Host', `${tenant}.localhost`).set('X-Api-Key', key).send({ userId });
    const tenantRooms = async () => (await rooms.listRooms()).filter((r) => r.name.includes(tenant)).map((r) => r.name);

    it('the tenant does not have: 404 naming the user (not 402 no_minutes), nothing reserved, no room', async () => {
      const key = await createKey('live');
      const roomsBefore = await tenantRooms();
      const res = await startWith(key, 'usr_nobody');
      expect(res.status).toBe(404);
      const problem = problemSchema.parse(res.body);
      expect(problem).toMatchObject({ code: 'not_found', reason: 'unknown_user', userId: 'usr_nobody' });
      expect(problem.detail).toContain('usr_nobody');
      // Even with minutes granted to that id (billing knows no users), the check holds.
      await h.grantSeconds(tenant, 'usr_ghost', 600);
      expect((await startWith(key, 'usr_ghost')).status).toBe(404);
      expect(await sessionsOf('usr_nobody')).toBe(0);
      expect(await sessionsOf('usr_ghost')).toBe(0);
      expect(await tenantRooms()).toEqual(roomsBefore);
    });

    it('with a test key: 403 test_key, no minutes spent or held; the same request with a live key starts', async () => {
      await addUser('usr_frank');
      await h.grantSeconds(tenant, 'usr_frank', 600);
      const test = await createKey('test');
      expect(test).toMatch(/^mb_test_/);
      const refused = await startWith(test, 'usr_frank');
      expect(refused.status).toBe(403);
      expect(problemSchema.parse(refused.body)).toMatchObject({ code: 'forbidden', reason: 'test_key' });
      expect(await sessionsOf('usr_frank')).toBe(0);
      // An unknown user is still told apart with a test key: it checks the wiring without spending.
      expect(problemSchema.parse((await startWith(test, 'usr_nobody')).body)).toMatchObject({ reason: 'unknown_user' });

      const started = await startWith(await createKey('live'), 'usr_frank');
      expect(started.status).toBe(201);
      const session = voiceSessionSchema.parse(started.body);
      expect(await sessionsOf('usr_frank')).toBe(1);
      // A test key may still end it: ending spends nothing more than the time already talked.
      const ended = await request(h.app)
        .post(`/v1/voice/sessions/${session.sessionId}/end`)
        .set('Host', `${tenant}.localhost`)
        .set('X-Api-Key', test)
        .send({});
      expect(ended.status).toBe(200);
      expect(ended.body).toMatchObject({ sessionId: session.sessionId, status: 'ended' });
    });
  });
});
