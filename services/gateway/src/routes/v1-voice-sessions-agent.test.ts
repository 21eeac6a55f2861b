import request from 'supertest';
import { AgentDispatchClient } from 'livekit-server-sdk';
import { agentDispatchSchema, type AgentDispatch } from '@mindbot/sdk/agent-job';
import { problemSchema, voiceSessionSchema } from '@mindbot/sdk/schemas';
import { createRedis, reportAgentStatus, withdrawAgentStatus } from '@mindbot/redis';
import { captureLogger, testRedisUrl, uniqueSlug } from '@mindbot/testing';
import { LIVEKIT_DEV_KEY, LIVEKIT_DEV_SECRET, type GatewayHarness } from '../testing/harness.js';
import type { LiveKitServer } from '../testing/livekit.js';
import { startVoiceStack, type VoiceStack } from '../testing/voice-stack.js';

// What the gateway tells the agent (the dispatch), and when it refuses to open a room nobody would join.
describe('gateway: voice sessions and the agent that answers them', () => {
  let stack: VoiceStack;
  let h: GatewayHarness;
  let livekit: LiveKitServer;
  const tenant = uniqueSlug('persona');
  const redis = createRedis(testRedisUrl(), captureLogger().logger);

  beforeAll(async () => {
    stack = await startVoiceStack({
      requireAgent: true,
      provision: async (harness) => {
        await harness.provision(tenant, (m) => {
          m.spec.agent.personas = [
            { id: 'teacher', name: 'Ms. Lane', voice: 'cedar', instructions: 'Explain step by step.', greeting: 'Ready to learn?' },
          ];
          m.spec.agent.onboardingGreeting = 'Welcome aboard! This is your first call.';
        });
      },
    });
    ({ h, livekit } = stack);
  }, 120_000);

  afterAll(async () => {
    await withdrawAgentStatus(redis, `tenant-${tenant}`, 'AW_test');
    redis.disconnect();
    await stack.stop();
  });

  const start = async (userId: string, body: object = {}) =>
    request(h.app)
      .post('/v1/voice/sessions')
      .set('Host', `${tenant}.localhost`)
      .set('Authorization', `Bearer ${await h.token(tenant, userId)}`)
      .send(body);
  const dispatchOf = async (room: string): Promise<AgentDispatch> => {
    const dispatches = await new AgentDispatchClient(livekit.apiUrl, LIVEKIT_DEV_KEY, LIVEKIT_DEV_SECRET).listDispatch(room);
    const named = dispatches.find((d) => d.agentName !== '');
    return agentDispatchSchema.parse(JSON.parse(named?.metadata ?? '{}'));
  };
  const ready = (missing: string[] = []) =>
    reportAgentStatus(redis, `tenant-${tenant}`, { workerId: 'AW_test', ready: missing.length === 0, missing, activeJobs: 0 });
  // The gateway caches an answer for two seconds per agent name.
  const afterCache = () => new Promise((r) => setTimeout(r, 2_100));

  it('answers 503 naming the reason, and charges nothing, when no worker is running for the tenant', async () => {
    await h.grantSeconds(tenant, 'usr_early', 600);
    const res = await start('usr_early');
    expect(res.status).toBe(503);
    expect(problemSchema.parse(res.body)).toMatchObject({ code: 'unavailable', reason: 'agent_unavailable' });
    expect(res.body.detail).toContain('No voice agent is running');
    const sessions = await h.deps.tenants.forTenant(tenant).transaction((tx) => tx.voiceSession.count({ where: { userId: 'usr_early' } }));
    expect(sessions).toBe(0);
  });

  it('answers 503 listing what the worker lacks when its providers are not configured', async () => {
    await ready(['llm', 'stt']);
    await afterCache();
    const res = await start('usr_early');
    expect(res.status).toBe(503);
    expect(res.body).toMatchObject({ reason: 'agent_unavailable', missing: ['llm', 'stt'] });
  });

  it('dispatches the default persona, with the onboarding greeting in the user’s first call only', async () => {
    await ready();
    await afterCache();
    await h.grantSeconds(tenant, 'usr_new', 600);
    const first = voiceSessionSchema.parse((await start('usr_new')).body);
    const firstDispatch = await dispatchOf(first.room);
    expect(firstDispatch.persona).toMatchObject({ id: 'default', name: 'Tess', greeting: 'Hello from the test tenant.' });
    expect(firstDispatch.onboardingGreeting).toBe('Welcome aboard! This is your first call.');
    const second = voiceSessionSchema.parse((await start('usr_new')).body);
    expect((await dispatchOf(second.room)).onboardingGreeting).toBeUndefined();
  });

  it('dispatches the persona the user picks, and refuses an unknown one with 422 listing the tenant’s personas', async () => {
    await h.grantSeconds(tenant, 'usr_pick', 600);
    const picked = voiceSessionSchema.parse((await start('usr_pick', { persona: 'teacher' })).body);
    expect((await dispatchOf(picked.room)).persona).toMatchObject({
      id: 'teacher',
      name: 'Ms. Lane',
      voice: 'cedar',
      greeting: 'Ready to learn?',
      language: 'en',
    });
    const unknown = await start('usr_pick', { persona: 'pirate' });
    expect(unknown.status).toBe(422);
    expect(problemSchema.parse(unknown.body)).toMatchObject({ reason: 'unknown_persona', personas: ['default', 'teacher'] });
  });

  it('dispatches a changed persona to the next call without restarting anything', async () => {
    await h.provision(tenant, (m) => {
      m.spec.branding.greeting = 'Hello again, from the new greeting.';
      m.spec.agent.personas = [
        { id: 'teacher', name: 'Ms. Lane', voice: 'cedar', instructions: 'Explain step by step.', greeting: 'Ready to learn?' },
      ];
    });
    await h.grantSeconds(tenant, 'usr_later', 600);
    const next = await (async () => {
      for (let i = 0; i < 50; i++) {
        const session = voiceSessionSchema.parse((await start('usr_later')).body);
        const dispatch = await dispatchOf(session.room);
        if (dispatch.persona.greeting !== 'Hello from the test tenant.') return dispatch;
        await new Promise((r) => setTimeout(r, 100));
      }
      throw new Error('the changed greeting never reached a dispatch');
    })();
    expect(next.persona.greeting).toBe('Hello again, from the new greeting.');
  });

  it('dispatches the greeting and voice an admin saved in the console to the very next call', async () => {
    // The manifest leaves the greeting and the voice to the console (ADR 0055).
    await h.provision(tenant, (m) => {
      delete m.spec.branding.greeting;
      delete m.spec.agent.voice;
    });
    const admin = await h.token(tenant, 'usr_admin', ['admin']);
    const saved = await request(h.app)
      .patch('/v1/admin/branding')
      .set('Host', `${tenant}.localhost`)
      .set('Authorization', `Bearer ${admin}`)
      .send({ greeting: 'Hi, this greeting was saved in the console.', voice: 'ember' });
    expect(saved.status).toBe(200);
    await h.grantSeconds(tenant, 'usr_console', 600);
    const session = voiceSessionSchema.parse((await start('usr_console')).body);
    expect((await dispatchOf(session.room)).persona).toMatchObject({
      id: 'default',
      name: 'Tess',
      greeting: 'Hi, this greeting was saved in the console.',
      voice: 'ember',
    });
  });
});
