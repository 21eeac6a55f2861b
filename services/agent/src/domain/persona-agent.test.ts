import type { Server } from 'node:http';
import { initializeLogger, voice } from '@livekit/agents';
import { createLogger } from '@mindbot/logger';
import type { CheckoutOffer } from '@mindbot/sdk/agent-job';
import { startBillingHarness, type BillingHarness } from '@mindbot/billing/testing/harness';
import { BillingJobClient } from '@mindbot/billing-client';
import { NO_LANGUAGE_MODEL_REPLY, UnconfiguredLLM } from '../providers/unconfigured-llm.js';
import { createCallTools } from './call-tools.js';
import { PersonaAgent } from './persona-agent.js';

// The agent in one call, in process: @livekit/agents' own fake LLM plays the model (scripted turns
// and tool calls), the tools call a real billing over HTTP with the session's own job token.

initializeLogger({ pretty: false, level: 'warn' });
const logger = createLogger({ name: 'agent-test', level: 'silent' });
const persona = {
  id: 'default',
  name: 'Ada',
  voice: 'aurora',
  language: 'en',
  instructions: 'You are Ada of Acme.',
  greeting: 'Hello, this is Ada from Acme!',
};

describe('agent: persona, greeting and tools in a call', () => {
  let h: BillingHarness;
  let server: Server;
  let billingUrl: string;

  beforeAll(async () => {
    h = await startBillingHarness();
    server = h.app.listen(0, '127.0.0.1');
    await new Promise((resolve) => server.once('listening', resolve));
    const address = server.address();
    billingUrl = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`;
  }, 120_000);

  afterAll(async () => {
    await new Promise((resolve) => server.close(resolve));
    await h.close();
  });

  /** A started session of `userId` in `tenant`, as the gateway would dispatch it. */
  const callOf = async (tenant: string, userId: string) => {
    const started = await h.internal(tenant).post('/sessions', { userId, startKey: `agent-test-${userId}-${Date.now()}` });
    expect(started.status).toBe(201);
    const { sessionId, jobToken } = started.body as { sessionId: string; jobToken: string };
    return { sessionId, billing: new BillingJobClient(billingUrl, { tenant, sessionId, jobToken }) };
  };

  const sessionWith = async (
    script: ConstructorParameters<typeof voice.testing.FakeLLM>[0],
    billing: BillingJobClient,
    offers: CheckoutOffer[] = [],
  ) => {
    const session = new voice.AgentSession({ llm: new voice.testing.FakeLLM(script), vad: null, turnDetection: 'manual' });
    const tools = createCallTools({
      billing,
      language: 'en',
      elapsedSeconds: () => 0,
      offerCheckout: (offer) => Promise.resolve(void offers.push(offer)),
      logger,
    });
    const agent = new PersonaAgent({ persona, tenantName: 'Acme', greeting: persona.greeting, conversational: true, tools });
    await session.start({ agent });
    await agent.greeted;
    return session;
  };

  it('greets with the persona’s own words and keeps the persona’s instructions', async () => {
    await h.grant(h.tenantA, 'usr_greet');
    const { billing } = await callOf(h.tenantA, 'usr_greet');
    const session = await sessionWith([], billing);
    try {
      const said = session.history.items
        .filter((i) => i.type === 'message' && i.role === 'assistant')
        .map((i) => (i.type === 'message' ? i.textContent : ''));
      expect(said).toEqual([persona.greeting]);
      expect(session.currentAgent.instructions).toContain('You are Ada of Acme.');
      expect(session.currentAgent.instructions).toContain('Never read out links');
    } finally {
      await session.close();
    }
  });

  it('answers the balance from billing for this user only (another user’s minutes never show)', async () => {
    await h.grant(h.tenantA, 'usr_balance');
    await h.grant(h.tenantA, 'usr_other');
    await h.grant(h.tenantA, 'usr_other');
    const { billing } = await callOf(h.tenantA, 'usr_balance');
    const session = await sessionWith(
      [{ input: 'how much time do I have', toolCalls: [{ name: 'check_time_balance', args: {} }] }],
      billing,
    );
    try {
      const result = await session.run({ userInput: 'how much time do I have' }).wait();
      result.expect.nextEvent().isFunctionCall({ name: 'check_time_balance' });
      const output = result.expect.nextEvent().isFunctionCallOutput().event().item;
      const answer = JSON.parse(output.output) as { remainingSeconds: number; timeCards: unknown[] };
      const summary = await billing.summary();
      expect(answer.remainingSeconds).toBe(summary.session.remainingSeconds);
      expect(answer.timeCards).toHaveLength(summary.balance.lots.length);
      expect(summary.balance.lots.length).toBe(1);
    } finally {
      await session.close();
    }
  });

  it('lists the tenant’s own packages with prices in its currency', async () => {
    await h.grant(h.tenantA, 'usr_prices');
    const { billing } = await callOf(h.tenantA, 'usr_prices');
    const session = await sessionWith([{ input: 'what does it cost', toolCalls: [{ name: 'get_pricing_packages', args: {} }] }], billing);
    try {
      const result = await session.run({ userInput: 'what does it cost' }).wait();
      result.expect.nextEvent().isFunctionCall({ name: 'get_pricing_packages' });
      const listed = JSON.parse(result.expect.nextEvent().isFunctionCallOutput().event().item.output) as { id: string; price: string }[];
      const { packages } = await billing.packages();
      expect(listed.map((p) => p.id)).toEqual(packages.map((p) => p.id));
      expect(listed.length).toBeGreaterThan(0);
      expect(listed[0]?.price).toMatch(/\d/);
    } finally {
      await session.close();
    }
  });

  it('starts a purchase for this user and puts the checkout link on the screen, never in what it says', async () => {
    await h.grant(h.tenantA, 'usr_buyer');
    const { billing } = await callOf(h.tenantA, 'usr_buyer');
    const offers: CheckoutOffer[] = [];
    const { packages } = await billing.packages();
    const wanted = packages[0];
    if (!wanted) throw new Error('the tenant sells nothing');
    const session = await sessionWith(
      [{ input: 'I want to buy more time', toolCalls: [{ name: 'start_purchase', args: { package: wanted.name } }] }],
      billing,
      offers,
    );
    try {
      const result = await session.run({ userInput: 'I want to buy more time' }).wait();
      result.expect.nextEvent().isFunctionCall({ name: 'start_purchase' });
      const output = result.expect.nextEvent().isFunctionCallOutput().event().item;
      expect(output.isError).toBe(false);
      expect(offers).toHaveLength(1);
      expect(offers[0]).toMatchObject({ type: 'checkout', packageName: wanted.name, amountCents: wanted.priceCents });
      expect(offers[0]?.checkoutUrl).toMatch(/^https?:\/\//);
      expect(output.output).not.toContain(offers[0]?.checkoutUrl ?? 'no url');
      // The purchase is the caller's, in billing.
      const mine = await h.deps.tenants
        .forTenant(h.tenantA)
        .transaction((tx) => tx.purchase.findMany({ where: { userId: 'usr_buyer', status: 'pending' } }));
      expect(mine.map((p) => p.packageId)).toEqual([wanted.id]);
    } finally {
      await session.close();
    }
  });

  it('tells the user in plain words when billing refuses, never a status code', async () => {
    await h.grant(h.tenantA, 'usr_ended');
    const { billing, sessionId } = await callOf(h.tenantA, 'usr_ended');
    expect((await h.internal(h.tenantA).post(`/sessions/${sessionId}/end`, { elapsedSeconds: 0 })).status).toBe(200);
    const session = await sessionWith(
      [{ input: 'buy starter', toolCalls: [{ name: 'start_purchase', args: { package: 'Starter' } }] }],
      billing,
    );
    try {
      const result = await session.run({ userInput: 'buy starter' }).wait();
      result.expect.nextEvent().isFunctionCall({ name: 'start_purchase' });
      const output = result.expect.nextEvent().isFunctionCallOutput().event().item;
      expect(output.isError).toBe(true);
      expect(output.output).not.toMatch(/\b(40\d|50\d)\b|Error:|at /);
    } finally {
      await session.close();
    }
  });

  it('without a language model, greets and then says plainly that none is configured', async () => {
    await h.grant(h.tenantA, 'usr_nollm');
    const { billing } = await callOf(h.tenantA, 'usr_nollm');
    const session = new voice.AgentSession({ llm: new UnconfiguredLLM(), vad: null, turnDetection: 'manual' });
    const tools = createCallTools({ billing, language: 'en', elapsedSeconds: () => 0, offerCheckout: () => Promise.resolve(), logger });
    const agent = new PersonaAgent({ persona, tenantName: 'Acme', greeting: persona.greeting, conversational: false, tools });
    await session.start({ agent });
    await agent.greeted;
    try {
      const result = await session.run({ userInput: 'hello?' }).wait();
      result.expect.nextEvent().isMessage({ role: 'assistant' });
      const said = session.history.items
        .filter((i) => i.type === 'message' && i.role === 'assistant')
        .map((i) => (i.type === 'message' ? i.textContent : ''));
      expect(said).toEqual([persona.greeting, NO_LANGUAGE_MODEL_REPLY, NO_LANGUAGE_MODEL_REPLY]);
    } finally {
      await session.close();
    }
  });

  it('estimates the cost so far and summarises the call from billing’s meter', async () => {
    await h.grant(h.tenantA, 'usr_meter');
    const { billing, sessionId } = await callOf(h.tenantA, 'usr_meter');
    expect((await h.internal(h.tenantA).post(`/sessions/${sessionId}/heartbeat`, { elapsedSeconds: 0 })).status).toBe(200);
    const session = await sessionWith(
      [
        { input: 'what has this cost', toolCalls: [{ name: 'estimate_session_cost', args: {} }] },
        { input: 'sum it up', toolCalls: [{ name: 'get_session_summary', args: {} }] },
      ],
      billing,
    );
    try {
      const cost = await session.run({ userInput: 'what has this cost' }).wait();
      cost.expect.nextEvent().isFunctionCall({ name: 'estimate_session_cost' });
      const estimate = JSON.parse(cost.expect.nextEvent().isFunctionCallOutput().event().item.output) as {
        usedSeconds: number;
        remainingSeconds: number;
      };
      const summary = await billing.summary();
      expect(estimate.usedSeconds).toBe(summary.session.settledSeconds);
      expect(estimate.remainingSeconds).toBe(summary.session.remainingSeconds);

      const summed = await session.run({ userInput: 'sum it up' }).wait();
      summed.expect.nextEvent().isFunctionCall({ name: 'get_session_summary' });
      const answer = JSON.parse(summed.expect.nextEvent().isFunctionCallOutput().event().item.output) as {
        startedAt: string;
        totalTalkTimeLeft: string;
      };
      expect(answer.startedAt).toBe(summary.session.startedAt);
      expect(answer.totalTalkTimeLeft).toMatch(/hour|minute|second/);
    } finally {
      await session.close();
    }
  });

  it('keeps no transcript for a tenant that turned transcripts off, and says so to the agent', async () => {
    // The registry row as provisioning writes it from a manifest with `agent.transcripts: false`.
    const row = await h.deps.platform.tenant.findUniqueOrThrow({ where: { slug: h.tenantB } });
    await h.deps.platform.tenant.update({
      where: { slug: h.tenantB },
      data: { agent: { ...(row.agent as Record<string, unknown>), transcripts: false } },
    });
    await h.grant(h.tenantB, 'usr_private');
    const { billing, sessionId } = await callOf(h.tenantB, 'usr_private');
    const answer = await until(async () => {
      const a = await billing.appendEvents([{ seq: 0, kind: 'user', text: 'my secret', at: new Date().toISOString() }]);
      return a.kept ? undefined : a;
    });
    expect(answer).toEqual({ stored: 0, kept: false });
    const kept = await h.deps.tenants.forTenant(h.tenantB).transaction((tx) => tx.voiceSessionEvent.count({ where: { sessionId } }));
    expect(kept).toBe(0);
  });
});

/** Billing reads the registry through a cache of a few seconds: retry until the change shows. */
async function until<T>(probe: () => Promise<T | undefined>): Promise<T> {
  for (let i = 0; i < 100; i++) {
    const value = await probe();
    if (value !== undefined) return value;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error('timed out');
}
