// The load the faults happen under, in Node (the CI version; the full run adds k6's mixed scenario):
// widgets reading branding, users reading their balance, and talkers whose voice sessions are
// started, metered by heartbeats and ended, as the gateway and the agent worker do it. Every request
// is recorded with when it started and what it got (0: no answer at all), and every session with the
// elapsed time its end settled, for the ledger check.
import { request } from './http.js';
import type { ChaosPlatform, SeedUser } from './platform.js';

export type RequestKind =
  'branding' | 'balance' | 'start' | 'heartbeat' | 'end' | 'purchase' | 'webhook' | 'k6:branding' | 'k6:balance' | 'k6:start' | 'k6:end';

export interface Sample {
  kind: RequestKind;
  /** ms since the epoch when the request was sent. */
  at: number;
  ms: number;
  /** HTTP status; 0 when no answer came (refused connection, reset, timeout). */
  status: number;
}

export interface TalkedSession {
  tenant: string;
  userId: string;
  sessionId: string;
  /** The cumulative elapsed seconds of the end billing acknowledged (undefined: never acknowledged). */
  endedAt: number | undefined;
}

export interface BoughtPurchase {
  tenant: string;
  purchaseId: string;
  /** Billing acknowledged the payment (some delivery answered 200). */
  paid: boolean;
}

export interface LoadOptions {
  /** Buyers (with stripe-mock): purchases created, then paid by two deliveries of the same event at once. */
  buyers: number;
  widgets: number;
  users: number;
  talkers: number;
  /** How long a talker's session lasts, seconds (each one picks between these). */
  sessionSeconds: [number, number];
  /** Sessions start through the gateway (LiveKit room, agent dispatch) when LiveKit runs; else straight at billing, as the gateway would. */
  viaGateway: boolean;
}

export interface RunningLoad {
  samples: Sample[];
  sessions: TalkedSession[];
  purchases: BoughtPurchase[];
  /** Stops starting sessions and requests; resolves once every talker has ended its session. */
  stop(): Promise<void>;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const pick = <T>(list: readonly T[]): T => {
  const chosen = list[Math.floor(Math.random() * list.length)];
  if (chosen === undefined) throw new Error('nothing to pick from');
  return chosen;
};

export function startLoad(platform: ChaosPlatform, options: LoadOptions): RunningLoad {
  const samples: Sample[] = [];
  const sessions: TalkedSession[] = [];
  const purchases: BoughtPurchase[] = [];
  let stopping = false;

  async function send(kind: RequestKind, url: string, init: { method?: string; headers: Record<string, string>; body?: unknown }) {
    const at = Date.now();
    const answer = await request(url, init);
    samples.push({ kind, at, ms: Date.now() - at, status: answer.status });
    return answer;
  }

  const gateway = (slug: string, path: string, token?: string) => ({
    url: `${platform.gatewayUrl}${path}`,
    headers: { host: `${slug}.${platform.baseDomain}`, ...(token ? { authorization: `Bearer ${token}` } : {}) },
  });
  const billing = (slug: string, path: string) => ({
    url: `${platform.billingUrl}/internal/v1/tenants/${slug}${path}`,
    headers: { authorization: `Bearer ${platform.serviceToken}` },
  });

  /** Repeats an idempotent call until billing acknowledges it (retries are what the gateway and agent do). */
  async function until(kind: RequestKind, call: () => Promise<{ status: number; body: Record<string, unknown> }>, giveUpMs: number) {
    const deadline = Date.now() + giveUpMs;
    for (;;) {
      const answer = await call();
      if (answer.status >= 200 && answer.status < 300) return answer;
      if (answer.status >= 400 && answer.status < 500 && answer.status !== 429) return answer;
      if (Date.now() > deadline) return answer;
      await sleep(250);
    }
  }

  async function widget() {
    while (!stopping) {
      const slug = pick(platform.seed.tenants).slug;
      const { url, headers } = gateway(slug, '/v1/branding');
      await send('branding', url, { headers });
      await sleep(50);
    }
  }

  async function user() {
    while (!stopping) {
      const tenant = pick(platform.seed.tenants);
      const { url, headers } = gateway(tenant.slug, '/v1/balance', pick(tenant.users).token);
      await send('balance', url, { headers });
      await sleep(100);
    }
  }

  async function startSession(slug: string, who: SeedUser, startKey: string): Promise<string | undefined> {
    if (options.viaGateway) {
      const { url, headers } = gateway(slug, '/v1/voice/sessions', who.token);
      const started = await until(
        'start',
        () => send('start', url, { method: 'POST', headers: { ...headers, 'idempotency-key': startKey }, body: {} }),
        60_000,
      );
      return typeof started.body.sessionId === 'string' ? started.body.sessionId : undefined;
    }
    const { url, headers } = billing(slug, '/sessions');
    const started = await until(
      'start',
      () => send('start', url, { method: 'POST', headers, body: { userId: who.userId, startKey } }),
      60_000,
    );
    return typeof started.body.sessionId === 'string' ? started.body.sessionId : undefined;
  }

  async function talker(index: number) {
    let n = 0;
    while (!stopping) {
      const tenant = pick(platform.seed.tenants);
      const who = pick(tenant.users);
      const startKey = `chaos-${process.pid}-${index}-${n++}-${Date.now()}`;
      const sessionId = await startSession(tenant.slug, who, startKey);
      if (!sessionId) {
        await sleep(500);
        continue;
      }
      const session: TalkedSession = { tenant: tenant.slug, userId: who.userId, sessionId, endedAt: undefined };
      sessions.push(session);
      const began = Date.now();
      const [low, high] = options.sessionSeconds;
      const lasts = (low + Math.random() * (high - low)) * 1000;
      const elapsed = () => Math.floor((Date.now() - began) / 1000);
      while (Date.now() - began < lasts) {
        await sleep(1_000);
        const { url, headers } = billing(tenant.slug, `/sessions/${sessionId}/heartbeat`);
        await send('heartbeat', url, { method: 'POST', headers, body: { elapsedSeconds: elapsed() } });
      }
      const seconds = elapsed();
      const { url, headers } = billing(tenant.slug, `/sessions/${sessionId}/end`);
      const ended = await until(
        'end',
        () => send('end', url, { method: 'POST', headers, body: { elapsedSeconds: seconds, reason: 'user_hangup' } }),
        120_000,
      );
      if (ended.status === 200) session.endedAt = seconds;
    }
  }

  async function buyer() {
    const shop = platform.shop;
    if (!shop) return;
    while (!stopping) {
      const { url, headers } = gateway(shop.slug, '/v1/purchases', shop.token);
      const bought = await send('purchase', url, { method: 'POST', headers, body: { packageId: shop.packageId } });
      if (bought.status !== 201 || typeof bought.body.id !== 'string') {
        await sleep(500);
        continue;
      }
      const purchase: BoughtPurchase = { tenant: shop.slug, purchaseId: bought.body.id, paid: false };
      purchases.push(purchase);
      const deliver = async () => {
        const at = Date.now();
        const status = await shop.pay(purchase.purchaseId);
        samples.push({ kind: 'webhook', at, ms: Date.now() - at, status });
        return status;
      };
      // Stripe may deliver an event twice, and redelivers until it gets a 2xx.
      const deadline = Date.now() + 120_000;
      while (!purchase.paid && Date.now() < deadline) {
        const answers = await Promise.all([deliver(), deliver()]);
        purchase.paid = answers.includes(200);
        if (!purchase.paid) await sleep(500);
      }
      await sleep(300);
    }
  }

  const workers = [
    ...Array.from({ length: options.buyers }, () => buyer()),
    ...Array.from({ length: options.widgets }, () => widget()),
    ...Array.from({ length: options.users }, () => user()),
    ...Array.from({ length: options.talkers }, (_, i) => talker(i)),
  ];
  return {
    samples,
    sessions,
    purchases,
    async stop() {
      stopping = true;
      await Promise.all(workers);
    },
  };
}
