import {
  AudioFrame,
  AudioSource,
  AudioStream,
  LocalAudioTrack,
  Room,
  RoomEvent,
  TrackKind,
  TrackPublishOptions,
  TrackSource,
  type RemoteTrack,
  type TextStreamReader,
} from '@livekit/rtc-node';
import request from 'supertest';
import { CALL_NOTICE_TOPIC, callNoticeSchema, type CallNotice } from '@mindbot/sdk/agent-job';
import { voiceSessionSchema, voiceSessionTranscriptSchema } from '@mindbot/sdk/schemas';
import { startRedisServer, uniqueSlug, type RedisServer } from '@mindbot/testing';
import type { BillingProcess } from '../services/gateway/src/testing/billing-process.js';
import { LIVEKIT_DEV_KEY, LIVEKIT_DEV_SECRET, type GatewayHarness } from '../services/gateway/src/testing/harness.js';
import type { LiveKitServer } from '../services/gateway/src/testing/livekit.js';
import { startVoiceStack, type VoiceStack } from '../services/gateway/src/testing/voice-stack.js';
import { defaultBillingPolicyConfig } from '../services/billing/src/config.js';
import { billingPolicyOf } from '../services/billing/src/deps.js';
import { sweepAbandonedSessions } from '../services/billing/src/domain/metering.js';
import { startAgentProcess, type AgentProcess } from './support/agent-process.js';

// A call end to end on loopback: the real gateway, billing, Postgres, Redis, livekit-server and the
// agent worker in its own process. The user is an rtc-node client with the token from
// POST /v1/voice/sessions; the worker's language model and speech-to-text are @livekit/agents' own
// scripted fakes, and it speaks through the offline eSpeak voice, so real audio flows both ways.

interface SessionRow {
  status: string;
  settled_seconds: number;
  charged_seconds: number;
  end_reason: string | null;
}

describe('a voice call end to end', () => {
  let stack: VoiceStack;
  /** Redis of this suite's own, so a test can restart it mid-call without disturbing other suites. */
  let redisServer: RedisServer;
  let livekit: LiveKitServer;
  let h: GatewayHarness;
  let billing: BillingProcess;
  let agent: AgentProcess;
  let otherAgent: AgentProcess | undefined;
  let tenant: string;
  const agentEnv = (forTenant: string) => ({
    LIVEKIT_URL: livekit.url,
    LIVEKIT_API_KEY: LIVEKIT_DEV_KEY,
    LIVEKIT_API_SECRET: LIVEKIT_DEV_SECRET,
    BILLING_URL: billing.url,
    AGENT_TENANT: forTenant,
    REDIS_URL: redisServer.url,
    AGENT_HEARTBEAT_SECONDS: '1',
    AGENT_MAX_CALLS: '20',
    AGENT_LLM: 'scripted',
    AGENT_LLM_SCRIPT: JSON.stringify([{ input: 'how much time do I have', toolCalls: [{ name: 'check_time_balance', args: {} }] }]),
    AGENT_STT: 'scripted',
    AGENT_STT_SCRIPT: JSON.stringify([{ startTime: 0, endTime: 800, sttDelay: 200, transcript: 'testing one two three' }]),
    AGENT_TTS: 'espeak',
  });

  beforeAll(async () => {
    tenant = uniqueSlug('call');
    // requireAgent: the gateway opens a room only once the tenant's worker reports itself ready (Redis).
    redisServer = await startRedisServer();
    stack = await startVoiceStack({
      requireAgent: true,
      redisUrl: redisServer.url,
      provision: async (harness) => {
        await harness.provision(tenant);
      },
    });
    ({ livekit, h, billing } = stack);
    agent = await startAgentProcess(agentEnv(tenant));
    await agent.registered();
  }, 180_000);

  afterAll(async () => {
    await agent.stop();
    await otherAgent?.stop();
    await stack.stop();
    await redisServer.stop();
  }, 60_000);

  const sessionRow = (id: string) =>
    h.deps.tenants
      .forTenant(tenant)
      .transaction(
        async (tx) =>
          (
            await tx.$queryRaw<
              SessionRow[]
            >`SELECT status, settled_seconds, charged_seconds, end_reason FROM voice_sessions WHERE id = ${id}`
          )[0],
      );
  const until = async <T>(what: string, probe: () => T | undefined | Promise<T | undefined>, timeoutMs = 30_000): Promise<T> => {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const value = await probe();
      if (value !== undefined) return value;
      if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}\n${agent.output.slice(-20).join('\n')}`);
      await new Promise((r) => setTimeout(r, 200));
    }
  };

  /** Starts a session through the gateway and joins its room as the user, collecting what the agent says and sends. */
  const join = async (userId: string, inTenant = tenant) => {
    // The session's clock starts when billing reserves, inside this request: the most a call can be charged runs from here.
    const requested = Date.now();
    const res = await request(h.app)
      .post('/v1/voice/sessions')
      .set('Host', `${inTenant}.localhost`)
      .set('Authorization', `Bearer ${await h.token(inTenant, userId)}`)
      .send({});
    expect(res.status).toBe(201);
    const session = voiceSessionSchema.parse(res.body);
    const room = new Room();
    const said: string[] = [];
    const notices: CallNotice[] = [];
    // A stream the agent is still sending when the call ends (its goodbye, as the room is deleted) is
    // cut off by the disconnect: what it said is not needed then. Any other failure still fails the run.
    const whole = (reader: TextStreamReader, use: (text: string) => void) =>
      void reader
        .readAll()
        .then(use)
        .catch((error: unknown) => {
          if (!(error instanceof Error && error.message === 'Disconnected while receiving')) throw error;
        });
    room.registerTextStreamHandler('lk.transcription', (reader: TextStreamReader) => whole(reader, (text) => void said.push(text)));
    room.registerTextStreamHandler(CALL_NOTICE_TOPIC, (reader: TextStreamReader) =>
      whole(reader, (text) => void notices.push(callNoticeSchema.parse(JSON.parse(text)))),
    );
    // The loudest frame (RMS of int16 samples) heard on the agent's audio track so far.
    const heard = { peakRms: 0 };
    room.on(RoomEvent.TrackSubscribed, (track: RemoteTrack) => {
      if (track.kind !== TrackKind.KIND_AUDIO) return;
      const reader = new AudioStream(track, { sampleRate: 48_000, numChannels: 1 }).getReader();
      void (async () => {
        for (;;) {
          const { value: frame, done } = await reader.read();
          if (done) return;
          let sum = 0;
          for (const sample of frame.data) sum += sample * sample;
          heard.peakRms = Math.max(heard.peakRms, Math.sqrt(sum / Math.max(1, frame.data.length)));
        }
      })().catch(() => undefined);
    });
    let disconnectedAt: number | undefined;
    room.on(RoomEvent.Disconnected, () => {
      disconnectedAt = Date.now();
    });
    await room.connect(session.livekitUrl, session.token, { autoSubscribe: true, dynacast: false });
    const joinedAt = Date.now();
    return { session, room, said, notices, heard, requested, joinedAt, disconnectedAt: () => disconnectedAt };
  };

  it('greets in the persona’s words, answers the real balance through a tool, and charges the time in the room to the second', async () => {
    await h.grantSeconds(tenant, 'usr_caller', 600);
    const call = await join('usr_caller');
    let leaving: number;
    try {
      await until('the greeting', () => (call.said.some((t) => t.includes('Hello from the test tenant.')) ? true : undefined));
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
      const answered = JSON.parse((JSON.parse(tool?.text ?? '""') as string) === '' ? '{}' : (tool?.text ?? '{}')) as {
        remainingSeconds?: number;
      };
      expect(answered.remainingSeconds).toBeGreaterThan(580);
      expect(answered.remainingSeconds).toBeLessThanOrEqual(600);
      expect(transcript.events.filter((e) => e.kind === 'user').map((e) => e.text)).toContain('how much time do I have');
      await new Promise((r) => setTimeout(r, 2_000));
    } finally {
      leaving = Date.now();
      await call.room.disconnect();
    }
    // The charge covers at least the time in the room, and at most the time since the start was asked for (the
    // session's clock starts at billing's reservation; joining and leaving each take a moment).
    const atLeast = (leaving - call.joinedAt) / 1000;
    const atMost = (Date.now() - call.requested) / 1000;
    const ended = await until('the session settled', async () => {
      const row = await sessionRow(call.session.sessionId);
      return row?.status === 'ended' ? row : undefined;
    });
    expect(ended.charged_seconds).toBeGreaterThanOrEqual(Math.floor(atLeast - 1));
    expect(ended.charged_seconds).toBeLessThanOrEqual(Math.ceil(atMost + 1));
    expect(ended.end_reason).toBe('user_hangup');
  }, 90_000);

  it('warns when the time runs low, ends the room at zero, and the ledger shows exactly the balance spent', async () => {
    await h.grantSeconds(tenant, 'usr_short', 20);
    const call = await join('usr_short');
    await until('the room to end', () => call.disconnectedAt(), 60_000);
    const row = await until('the session settled', async () => {
      const r = await sessionRow(call.session.sessionId);
      return r?.status === 'ended' ? r : undefined;
    });
    expect(row).toMatchObject({ charged_seconds: 20, end_reason: 'balance_exhausted' });
    expect(call.notices.map((n) => n.type)).toEqual(expect.arrayContaining(['low_balance', 'balance_exhausted']));
    expect(call.notices.find((n) => n.type === 'low_balance')?.message).toMatch(/talk time left/);
    // Said aloud too (its transcription follows the audio as it plays).
    expect(call.said.some((t) => /A quick note/.test(t))).toBe(true);
    const lots = await h.deps.tenants.forTenant(tenant).transaction((tx) => tx.minuteLot.findMany({ where: { userId: 'usr_short' } }));
    expect(lots.reduce((sum, lot) => sum + lot.remainingSeconds, 0)).toBe(0);
    const spent = await h.deps.tenants
      .forTenant(tenant)
      .transaction((tx) =>
        tx.ledgerEntry.aggregate({ where: { userId: 'usr_short', sessionId: call.session.sessionId }, _sum: { seconds: true } }),
      );
    expect(spent._sum.seconds).toBe(-20);
  }, 90_000);

  it('carries real audio both ways: the greeting is heard on the agent’s track, and the user’s voice reaches speech-to-text', async () => {
    await h.grantSeconds(tenant, 'usr_voice', 600);
    const call = await join('usr_voice');
    try {
      await until('the spoken greeting to be heard', () => (call.heard.peakRms > 300 ? true : undefined));
      // The user speaks: a 440 Hz tone from a microphone track, 20 ms frames paced in real time.
      const source = new AudioSource(48_000, 1);
      const track = LocalAudioTrack.createAudioTrack('microphone', source);
      await call.room.localParticipant?.publishTrack(track, new TrackPublishOptions({ source: TrackSource.SOURCE_MICROPHONE }));
      const speaking = (async () => {
        for (let i = 0; i < 150; i++) {
          const samples = new Int16Array(960);
          for (let n = 0; n < samples.length; n++) samples[n] = Math.round(8_000 * Math.sin((2 * Math.PI * 440 * (i * 960 + n)) / 48_000));
          await source.captureFrame(new AudioFrame(samples, 48_000, 1, 960));
        }
      })();
      await until('the user’s words transcribed from their audio', () => (call.said.includes('testing one two three') ? true : undefined));
      await speaking;
      await source.close();
    } finally {
      await call.room.disconnect();
    }
  }, 90_000);

  it('sends each tenant’s calls only to that tenant’s own worker', async () => {
    const other = uniqueSlug('other');
    await h.provision(other);
    otherAgent = await startAgentProcess(agentEnv(other));
    await otherAgent.registered();
    await h.grantSeconds(other, 'usr_b', 600);
    await h.grantSeconds(tenant, 'usr_a', 600);
    const callB = await join('usr_b', other);
    const callA = await join('usr_a');
    try {
      for (const [call, own] of [
        [callA, tenant],
        [callB, other],
      ] as const) {
        const agentIn = await until('the agent in the room', () =>
          [...call.room.remoteParticipants.values()].find((p) => p.attributes['mindbot.tenant'] !== undefined),
        );
        expect(agentIn.attributes['mindbot.tenant']).toBe(own);
      }
      const jobsOf = (worker: AgentProcess) =>
        worker.output
          .filter((line) => line.includes('the call is metered'))
          .map((line) => (JSON.parse(line) as { tenantId: string }).tenantId);
      const workerOfB = otherAgent;
      await until('both calls metered', () => (jobsOf(workerOfB).length > 0 ? true : undefined));
      expect(new Set(jobsOf(workerOfB))).toEqual(new Set([other]));
      expect(new Set(jobsOf(agent))).toEqual(new Set([tenant]));
    } finally {
      await callA.room.disconnect();
      await callB.room.disconnect();
    }
  }, 120_000);

  it('settles a call whose worker died to its last heartbeat, through billing’s sweeper, to the second', async () => {
    await h.grantSeconds(tenant, 'usr_crash', 600);
    const call = await join('usr_crash');
    try {
      await until('a few heartbeats', async () => {
        const row = await sessionRow(call.session.sessionId);
        return row && row.settled_seconds >= 3 ? row : undefined;
      });
      agent.kill();
      await new Promise((r) => setTimeout(r, 500));
      const lastBeat = await sessionRow(call.session.sessionId);
      expect(lastBeat?.status).toBe('active');
      // Billing's sweeper, as it runs once the heartbeats have been missing for its timeout.
      const policy = billingPolicyOf(defaultBillingPolicyConfig()).metering;
      const later = new Date(Date.now() + (policy.heartbeatTimeoutSeconds + 1) * 1000);
      expect(await sweepAbandonedSessions(h.deps.tenants.forTenant(tenant), policy, later)).toBe(1);
      const settled = await sessionRow(call.session.sessionId);
      expect(settled).toMatchObject({
        status: 'ended',
        end_reason: 'abandoned',
        charged_seconds: lastBeat?.settled_seconds,
        settled_seconds: lastBeat?.settled_seconds,
      });
      const lots = await h.deps.tenants.forTenant(tenant).transaction((tx) => tx.minuteLot.findMany({ where: { userId: 'usr_crash' } }));
      expect(lots.reduce((sum, lot) => sum + lot.remainingSeconds, 0)).toBe(600 - (lastBeat?.settled_seconds ?? 0));
    } finally {
      await call.room.disconnect();
    }
  }, 90_000);

  /**
   * A call through a restart of one part: it goes on (the user stays in the room), heartbeats resume
   * and settle everything since, and the charge still matches the time in the room.
   */
  const callThrough = async (userId: string, restart: () => Promise<void>) => {
    await h.grantSeconds(tenant, userId, 600);
    const call = await join(userId);
    const settledOf = async () => (await sessionRow(call.session.sessionId))?.settled_seconds ?? 0;
    let leaving: number;
    try {
      await until('the call metered', async () => (await settledOf()) >= 2 || undefined);
      await restart();
      const before = await settledOf();
      await until('heartbeats after the restart', async () => (await settledOf()) > before + 1 || undefined);
      expect(call.disconnectedAt()).toBeUndefined();
    } finally {
      leaving = Date.now();
      await call.room.disconnect();
    }
    const ended = await until('the session settled', async () => {
      const row = await sessionRow(call.session.sessionId);
      return row?.status === 'ended' ? row : undefined;
    });
    expect(ended.charged_seconds).toBeGreaterThanOrEqual(Math.floor((leaving - call.joinedAt) / 1000 - 1));
    expect(ended.charged_seconds).toBeLessThanOrEqual(Math.ceil((Date.now() - call.requested) / 1000 + 1));
  };

  it('goes on through a billing restart mid-call, and the ledger still charges the time in the room', async () => {
    await agent.stop();
    agent = await startAgentProcess(agentEnv(tenant));
    await agent.registered();
    await callThrough('usr_restart', () => stack.restartBilling(3_000));
  }, 120_000);

  it('goes on through a Redis restart mid-call, and the ledger still charges the time in the room', async () => {
    await callThrough('usr_redis', () => redisServer.restart(3_000));
  }, 120_000);

  it('drains on SIGTERM: a call in progress is ended cleanly and settled before the worker exits', async () => {
    await agent.stop();
    agent = await startAgentProcess({ ...agentEnv(tenant), AGENT_DRAIN_SECONDS: '2' });
    await agent.registered();
    await h.grantSeconds(tenant, 'usr_drain', 600);
    const call = await join('usr_drain');
    try {
      await until('the call metered', async () => ((await sessionRow(call.session.sessionId))?.settled_seconds ?? 0) >= 2 || undefined);
      await agent.stop();
      const row = await until('the session settled', async () => {
        const r = await sessionRow(call.session.sessionId);
        return r?.status === 'ended' ? r : undefined;
      });
      expect(row.end_reason).toBe('agent_ended');
      expect(row.charged_seconds).toBeGreaterThanOrEqual(2);
    } finally {
      await call.room.disconnect();
    }
  }, 120_000);
});
