import { jest } from '@jest/globals';
import request from 'supertest';
import { RoomServiceClient } from 'livekit-server-sdk';
import { problemSchema, voiceSessionSchema } from '@mindbot/sdk/schemas';
import { createTestDatabase, freePort, uniqueSlug, type TestDatabase } from '@mindbot/testing';
import { startBillingProcess, type BillingProcess } from '../testing/billing-process.js';
import { LIVEKIT_DEV_KEY, LIVEKIT_DEV_SECRET, startGatewayHarness, type GatewayHarness } from '../testing/harness.js';
import { startLiveKit, type LiveKitServer } from '../testing/livekit.js';

jest.setTimeout(90_000);

const LIMIT = 2;

// The tenant plan's concurrentSessions through the gateway: real billing (in its own process, the
// one that counts and admits atomically), real livekit-server, Postgres and Redis.
describe('gateway: voice sessions at the plan limit of sessions at once', () => {
  let database: TestDatabase;
  let h: GatewayHarness;
  let noLiveKit: GatewayHarness;
  let livekit: LiveKitServer;
  let billing: BillingProcess;
  let tenant: string;
  let rooms: RoomServiceClient;
  const running = new Map<string, string>();

  beforeAll(async () => {
    database = await createTestDatabase();
    const billingPort = await freePort();
    livekit = await startLiveKit({ apiKey: LIVEKIT_DEV_KEY, apiSecret: LIVEKIT_DEV_SECRET });
    h = await startGatewayHarness({
      database,
      billingUrl: `http://127.0.0.1:${billingPort}`,
      livekit: { url: livekit.url, apiUrl: livekit.apiUrl },
    });
    // The same platform, but a gateway whose LiveKit is down: its starts fail after billing admitted them.
    noLiveKit = await startGatewayHarness({
      database,
      issuer: h.issuer,
      billingUrl: `http://127.0.0.1:${billingPort}`,
      livekit: { apiUrl: `http://127.0.0.1:${await freePort()}` },
    });
    tenant = uniqueSlug('vlimit');
    await h.provision(tenant, (manifest) => {
      manifest.spec.plan.concurrentSessions = LIMIT;
    });
    billing = await startBillingProcess({ databaseUrl: database.url, issuer: h.issuer, port: billingPort });
    rooms = new RoomServiceClient(livekit.apiUrl, LIVEKIT_DEV_KEY, LIVEKIT_DEV_SECRET);
    for (let i = 0; i < 12; i++) await h.grantSeconds(tenant, `usr_${i}`, 600);
  });

  afterAll(async () => {
    await noLiveKit.close();
    await h.close();
    await billing.stop();
    await livekit.stop();
    await database.dispose();
  });

  const start = async (userId: string, via: GatewayHarness = h) => {
    const res = await request(via.app)
      .post('/v1/voice/sessions')
      .set('Host', `${tenant}.localhost`)
      .set('Authorization', `Bearer ${await h.token(tenant, userId)}`)
      .send({});
    if (res.status === 201) running.set(voiceSessionSchema.parse(res.body).sessionId, userId);
    return res;
  };
  const end = async (sessionId: string) => {
    const res = await request(h.app)
      .post(`/v1/voice/sessions/${sessionId}/end`)
      .set('Host', `${tenant}.localhost`)
      .set('Authorization', `Bearer ${await h.token(tenant, running.get(sessionId) ?? '')}`)
      .send({});
    expect(res.status).toBe(200);
    running.delete(sessionId);
  };
  const tenantRooms = async () => (await rooms.listRooms()).filter((r) => r.name.startsWith(`mb_${tenant}_`)).length;

  afterEach(async () => {
    for (const id of [...running.keys()]) await end(id);
  });

  it('answers 429 naming the limit when the tenant already runs that many sessions, and opens no room for it', async () => {
    expect((await start('usr_0')).status).toBe(201);
    const second = await start('usr_1');
    expect(second.status).toBe(201);
    const refused = await start('usr_2');
    expect(refused.status).toBe(429);
    expect(refused.headers['content-type']).toContain('application/problem+json');
    expect(problemSchema.parse(refused.body)).toMatchObject({
      code: 'rate_limited',
      reason: 'concurrent_sessions',
      limit: 'concurrentSessions',
      concurrentSessions: LIMIT,
    });
    expect(refused.body.detail).toContain(`${LIMIT} voice sessions running`);
    expect(await tenantRooms()).toBe(LIMIT);

    // Ending a session frees its slot at once.
    await end(voiceSessionSchema.parse(second.body).sessionId);
    expect((await start('usr_2')).status).toBe(201);
  });

  it('admits exactly one of concurrent starts racing for the last slot', async () => {
    expect((await start('usr_0')).status).toBe(201);
    const racers = ['usr_3', 'usr_4', 'usr_5', 'usr_6', 'usr_7', 'usr_8'];
    const results = await Promise.all(racers.map((user) => start(user)));
    expect(results.map((r) => r.status).sort()).toEqual([201, 429, 429, 429, 429, 429]);
    expect(await tenantRooms()).toBe(LIMIT);
  });

  it('does not lose the slot of a start that failed after billing admitted it (LiveKit down)', async () => {
    expect((await start('usr_0')).status).toBe(201);
    for (let attempt = 0; attempt < 3; attempt++) expect((await start('usr_9', noLiveKit)).status).toBe(503);
    expect((await start('usr_10')).status).toBe(201);
    expect((await start('usr_11')).status).toBe(429);
  });
});
