import { Room, RoomEvent, dispose, type TextStreamReader } from '@livekit/rtc-node';
import request from 'supertest';
import { CALL_NOTICE_TOPIC, callNoticeSchema, type CallNotice } from '@mindbot/sdk/agent-job';
import { voiceSessionSchema, voiceSessionTranscriptSchema } from '@mindbot/sdk/schemas';
import { createTestDatabase, freePort, uniqueSlug, type TestDatabase } from '@mindbot/testing';
import { startBillingProcess, type BillingProcess } from '../services/gateway/src/testing/billing-process.js';
import { LIVEKIT_DEV_KEY, LIVEKIT_DEV_SECRET, startGatewayHarness, type GatewayHarness } from '../services/gateway/src/testing/harness.js';
import { startLiveKit, type LiveKitServer } from '../services/gateway/src/testing/livekit.js';
import { startAgentProcess, type AgentProcess } from './support/agent-process.js';

// A call end to end on loopback: the real gateway, billing, Postgres, Redis, livekit-server and the
// agent worker in its own process. The user is an rtc-node client with the token from
// POST /v1/voice/sessions; the worker's language model is @livekit/agents' own scripted fake.

interface SessionRow {
  status: string;
  settled_seconds: number;
  charged_seconds: number;
  end_reason: string | null;
}

describe('a voice call end to end', () => {
  let database: TestDatabase;
  let livekit: LiveKitServer;
  let h: GatewayHarness;
  let billing: BillingProcess;
  let agent: AgentProcess;
  let tenant: string;

  beforeAll(async () => {
    database = await createTestDatabase();
    const gatewayPort = await freePort();
    const billingPort = await freePort();
    livekit = await startLiveKit({ apiKey: LIVEKIT_DEV_KEY, apiSecret: LIVEKIT_DEV_SECRET, webhookUrl: `http://127.0.0.1:${gatewayPort}/v1/webhooks/livekit` });
    h = await startGatewayHarness({ database, billingUrl: `http://127.0.0.1:${billingPort}`, livekit: { url: livekit.url, apiUrl: livekit.apiUrl } });
    tenant = uniqueSlug('call');
    await h.provision(tenant);
    billing = await startBillingProcess({ databaseUrl: database.url, issuer: h.issuer, port: billingPort });
    await h.listen(gatewayPort);
    agent = await startAgentProcess({
      LIVEKIT_URL: livekit.url,
      LIVEKIT_API_KEY: LIVEKIT_DEV_KEY,
      LIVEKIT_API_SECRET: LIVEKIT_DEV_SECRET,
      BILLING_URL: billing.url,
      AGENT_TENANT: tenant,
      AGENT_HEARTBEAT_SECONDS: '1',
      AGENT_MAX_CALLS: '20',
      AGENT_LLM: 'scripted',
      AGENT_LLM_SCRIPT: JSON.stringify([{ input: 'how much time do I have', toolCalls: [{ name: 'check_time_balance', args: {} }] }]),
    });
    await agent.registered();
  }, 180_000);

  afterAll(async () => {
    await agent.stop();
    await h.close();
    await billing.stop();
    await livekit.stop();
    await dispose();
    await database.dispose();
  }, 60_000);

  const sessionRow = (id: string) =>
    h.deps.tenants.forTenant(tenant).transaction(async (tx) => (await tx.$queryRaw<SessionRow[]>`SELECT status, settled_seconds, charged_seconds, end_reason FROM voice_sessions WHERE id = ${id}`)[0]);
  const until = async <T>(what: string, probe: () => Promise<T | undefined>, timeoutMs = 30_000): Promise<T> => {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const value = await probe();
      if (value !== undefined) return value;
      if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}\n${agent.output.slice(-20).join('\n')}`);
      await new Promise((r) => setTimeout(r, 200));
    }
  };

  /** Starts a session through the gateway and joins its room as the user, collecting what the agent says and sends. */
  const join = async (userId: string) => {
    const res = await request(h.app).post('/v1/voice/sessions').set('Host', `${tenant}.localhost`).set('Authorization', `Bearer ${await h.token(tenant, userId)}`).send({});
    expect(res.status).toBe(201);
    const session = voiceSessionSchema.parse(res.body);
    const room = new Room();
    const said: string[] = [];
    const notices: CallNotice[] = [];
    const reads: Promise<void>[] = [];
    room.registerTextStreamHandler('lk.transcription', (reader: TextStreamReader) => {
      reads.push(reader.readAll().then((text) => void said.push(text)));
    });
    room.registerTextStreamHandler(CALL_NOTICE_TOPIC, (reader: TextStreamReader) => {
      reads.push(reader.readAll().then((text) => void notices.push(callNoticeSchema.parse(JSON.parse(text)))));
    });
    let disconnectedAt: number | undefined;
    room.on(RoomEvent.Disconnected, () => {
      disconnectedAt = Date.now();
    });
    await room.connect(session.livekitUrl, session.token, { autoSubscribe: true, dynacast: false });
    const joinedAt = Date.now();
    return { session, room, said, notices, joinedAt, disconnectedAt: () => disconnectedAt };
  };

  it('greets in the persona’s words, answers the real balance through a tool, and charges the time in the room to the second', async () => {
    await h.grantSeconds(tenant, 'usr_caller', 600);
    const call = await join('usr_caller');
    try {
      await until('the greeting', async () => (call.said.some((t) => t.includes('Hello from the test tenant.')) ? true : undefined));
      await call.room.localParticipant?.sendText('how much time do I have', { topic: 'lk.chat' });
      // The tool call and its answer are in the call's transcript, read back as the user would.
      const transcript = await until('the tool call in the transcript', async () => {
        const res = await request(h.app)
          .get(`/v1/sessions/${call.session.sessionId}/transcript`)
          .set('Host', `${tenant}.localhost`)
          .set('Authorization', `Bearer ${await h.token(tenant, 'usr_caller')}`);
        if (res.status !== 200) return undefined;
        const parsed = voiceSessionTranscriptSchema.parse(res.body);
        return parsed.events.some((e) => e.kind === 'tool') ? parsed : undefined;
      });
      const tool = transcript.events.find((e) => e.kind === 'tool');
      expect(tool?.toolName).toBe('check_time_balance');
      const answered = JSON.parse(JSON.parse(tool?.text ?? '""') as string === '' ? '{}' : (tool?.text ?? '{}')) as { remainingSeconds?: number };
      expect(answered.remainingSeconds).toBeGreaterThan(580);
      expect(answered.remainingSeconds).toBeLessThanOrEqual(600);
      expect(transcript.events.filter((e) => e.kind === 'user').map((e) => e.text)).toContain('how much time do I have');
      await new Promise((r) => setTimeout(r, 2_000));
    } finally {
      await call.room.disconnect();
    }
    const inRoomSeconds = (Date.now() - call.joinedAt) / 1000;
    const ended = await until('the session settled', async () => {
      const row = await sessionRow(call.session.sessionId);
      return row?.status === 'ended' ? row : undefined;
    });
    expect(Math.abs(ended.charged_seconds - inRoomSeconds)).toBeLessThanOrEqual(1.5);
    expect(ended.end_reason).toBe('user_hangup');
  }, 90_000);

  it('warns when the time runs low, ends the room at zero, and the ledger shows exactly the balance spent', async () => {
    await h.grantSeconds(tenant, 'usr_short', 5);
    const call = await join('usr_short');
    await until('the room to end', async () => call.disconnectedAt(), 40_000);
    const row = await until('the session settled', async () => {
      const r = await sessionRow(call.session.sessionId);
      return r?.status === 'ended' ? r : undefined;
    });
    expect(row).toMatchObject({ charged_seconds: 5, end_reason: 'balance_exhausted' });
    expect(call.notices.map((n) => n.type)).toEqual(expect.arrayContaining(['low_balance', 'balance_exhausted']));
    expect(call.said.some((t) => /talk time left/.test(t))).toBe(true);
    const lots = await h.deps.tenants.forTenant(tenant).transaction((tx) => tx.minuteLot.findMany({ where: { userId: 'usr_short' } }));
    expect(lots.reduce((sum, lot) => sum + lot.remainingSeconds, 0)).toBe(0);
    const spent = await h.deps.tenants.forTenant(tenant).transaction((tx) => tx.ledgerEntry.aggregate({ where: { userId: 'usr_short', sessionId: call.session.sessionId }, _sum: { seconds: true } }));
    expect(spent._sum.seconds).toBe(-5);
  }, 90_000);
});
