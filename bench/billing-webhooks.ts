// Stripe webhook events processed per second through the real endpoint (signature check, routing
// by event.account, event recorded with its effect): N paid checkouts fulfilled, then the same N
// delivered again (duplicates). Baselines in the same run, same concurrency: a bare express 5 handler
// that only checks the signature of the same events, through the same client (the HTTP and signing
// ceiling), and a plain pooled write transaction per event (BEGIN, one INSERT, COMMIT: the ceiling of
// one durable commit per event on this Postgres).
// Verifies one card and one purchase.completed job per purchase, and nothing changed by the replays.
//   npx tsx bench/billing-webhooks.ts      (BENCH_EVENTS=300, BENCH_CONCURRENCY=8 by default)
import type { AddressInfo } from 'node:net';
import { loadavg } from 'node:os';
import express from 'express';
import { PLATFORM_EVENT_QUEUE } from '@mindbot/jobs';
import { createTokenVerifier } from '@mindbot/auth';
import { newId } from '@mindbot/ids';
import { createTestTokenIssuer } from '@mindbot/testing';
import { createApp } from '../services/billing/src/app.js';
import { billingPolicyOf } from '../services/billing/src/deps.js';
import { defaultBillingPolicyConfig } from '../services/billing/src/config.js';
import { createStripeClient } from '@mindbot/stripe-connect';
import { BENCH_TENANT, billingBenchSetup } from './billing-common.js';

const events = Number(process.env.BENCH_EVENTS ?? 300);
const concurrency = Number(process.env.BENCH_CONCURRENCY ?? 8);
const secret = 'whsec_bench_secret';
const account = 'acct_benchbilling';

const { database, deps } = await billingBenchSetup(concurrency + 4);
// The webhook path makes no Stripe call for checkout events; the client only signs test headers.
const stripe = createStripeClient({ secretKey: 'sk_test_123', apiUrl: 'http://127.0.0.1:9' });
const issuer = await createTestTokenIssuer();
const app = createApp(deps, {
  stripe,
  webhookSecret: secret,
  livemode: false,
  verifier: createTokenVerifier({ jwks: issuer.jwks, issuer: issuer.issuer, audience: issuer.audience }),
  serviceTokens: ['bench-service-token-0123456789abcdef0123'],
  appUrl: 'https://app.bench.test',
  ...billingPolicyOf(defaultBillingPolicyConfig()),
  clock: () => new Date(),
});
const server = app.listen(0, '127.0.0.1');
await new Promise((resolve) => server.once('listening', resolve));
const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
const bare = express();
bare.post('/v1/webhooks/stripe', express.raw({ type: () => true, limit: '512kb' }), (req, res) => {
  const event = stripe.webhooks.constructEvent(req.body as Buffer, req.header('stripe-signature') ?? '', secret, 300);
  res.json({ received: true, outcome: event.type === 'checkout.session.completed' ? 'bare' : 'other' });
});
const bareServer = bare.listen(0, '127.0.0.1');
await new Promise((resolve) => bareServer.once('listening', resolve));
const bareBase = `http://127.0.0.1:${(bareServer.address() as AddressInfo).port}`;
const scope = deps.tenants.forTenant(BENCH_TENANT);

try {
  await deps.platform.billingAccount.create({
    data: {
      tenantSlug: BENCH_TENANT,
      stripeAccountId: account,
      livemode: false,
      chargesEnabled: true,
      cardPayments: 'active',
      detailsSubmitted: true,
    },
  });
  const purchases = Array.from({ length: events }, (_, i) => ({ id: newId('purchase'), session: `cs_bench_${i}` }));
  await scope.transaction((tx) =>
    tx.purchase.createMany({
      data: purchases.map((p) => ({
        id: p.id,
        userId: 'usr_bench',
        packageId: 'pkg_starter',
        packageName: 'Starter',
        amountCents: 999,
        currency: 'usd',
        applicationFeeCents: 100,
        seconds: 3600,
        checkoutSessionId: p.session,
      })),
    }),
  );
  const payloads = purchases.map((p, i) =>
    JSON.stringify({
      id: `evt_bench_${i}`,
      object: 'event',
      type: 'checkout.session.completed',
      account,
      livemode: false,
      created: Math.floor(Date.now() / 1000),
      data: {
        object: {
          id: p.session,
          object: 'checkout.session',
          client_reference_id: p.id,
          amount_total: 999,
          currency: 'usd',
          payment_status: 'paid',
          payment_intent: `pi_bench_${i}`,
        },
      },
    }),
  );

  const deliver = async (label: string, to = base): Promise<number> => {
    let next = 0;
    const outcomes = new Map<string, number>();
    // Signed before the clock starts: signing is Stripe's work, not the endpoint's (5 minutes' tolerance).
    const signed = payloads.map((payload) => ({ payload, signature: stripe.webhooks.generateTestHeaderString({ payload, secret }) }));
    const t0 = performance.now();
    const cpu0 = process.cpuUsage();
    await Promise.all(
      Array.from({ length: concurrency }, async () => {
        while (next < signed.length) {
          const { payload, signature } = signed[next++] ?? { payload: '', signature: '' };
          const res = await fetch(`${to}/v1/webhooks/stripe`, {
            method: 'POST',
            headers: { 'content-type': 'application/json', 'stripe-signature': signature },
            body: payload,
          });
          const body = (await res.json()) as { outcome?: string };
          const key = `${res.status} ${body.outcome ?? '?'}`;
          outcomes.set(key, (outcomes.get(key) ?? 0) + 1);
        }
      }),
    );
    const rate = payloads.length / ((performance.now() - t0) / 1000);
    const cpu = process.cpuUsage(cpu0);
    // This process runs the client and the app: its CPU time per event says how much of the wait was Node's own.
    const cpuPerEvent = (cpu.user + cpu.system) / 1000 / payloads.length;
    process.stdout.write(
      `${label}: ${rate.toFixed(0)} events/s, ${cpuPerEvent.toFixed(2)} ms of this process's CPU per event  (${[...outcomes].map(([k, v]) => `${k}×${v}`).join(', ')})\n`,
    );
    return rate;
  };

  const state = () =>
    scope.transaction(async (tx) => ({
      cards: await tx.timeCard.count(),
      paid: await tx.purchase.count({ where: { status: 'paid' } }),
      recorded: await tx.processedWebhookEvent.count(),
      jobs: await tx.outboxEvent.count({ where: { topic: PLATFORM_EVENT_QUEUE } }),
    }));
  const load = () =>
    `load average ${loadavg()
      .map((l) => l.toFixed(2))
      .join(' ')}`;
  process.stdout.write(`${load()}\n`);
  // Warms the client's connections and the JIT on the bare handler, not measured.
  await deliver('warm-up (bare handler)', bareBase);
  const plainWrites = async (): Promise<number> => {
    await deps.pool.query('CREATE TABLE public.bench_plain_writes (id text PRIMARY KEY, at timestamptz NOT NULL)');
    let next = 0;
    const t0 = performance.now();
    await Promise.all(
      Array.from({ length: concurrency }, async () => {
        while (next < events) {
          const id = `w${next++}`;
          const client = await deps.pool.connect();
          try {
            await client.query('BEGIN');
            await client.query('INSERT INTO public.bench_plain_writes (id, at) VALUES ($1, $2)', [id, new Date()]);
            await client.query('COMMIT');
          } finally {
            client.release();
          }
        }
      }),
    );
    const rate = events / ((performance.now() - t0) / 1000);
    process.stdout.write(
      `plain pooled write transaction (baseline: BEGIN, INSERT, COMMIT), ${concurrency} concurrent: ${rate.toFixed(0)}/s\n`,
    );
    return rate;
  };
  const plain = await plainWrites();
  const ceiling = await deliver(`bare express 5 handler, signature check only (baseline), ${concurrency} concurrent`, bareBase);
  const first = await deliver(`first delivery of ${events} checkout.session.completed, ${concurrency} concurrent`);
  const after = await state();
  const duplicates = await deliver('same events delivered again (duplicates, 200 no-op)');
  const again = await state();
  const expected = { cards: events, paid: events, recorded: events, jobs: events };
  if (JSON.stringify(after) !== JSON.stringify(expected) || JSON.stringify(after) !== JSON.stringify(again)) {
    throw new Error(`verification failed: after first delivery ${JSON.stringify(after)}, after replay ${JSON.stringify(again)}`);
  }
  process.stdout.write(
    `first delivery ${(first / ceiling).toFixed(2)}× the bare handler and ${(first / plain).toFixed(2)}× the plain write transaction; ` +
      `duplicates ${(duplicates / ceiling).toFixed(2)}× the bare handler; ${load()}\n`,
  );
  process.stdout.write(
    `verified: ${after.cards} cards and ${after.jobs} purchase.completed jobs for ${events} purchases, replays changed nothing\n`,
  );
} finally {
  await new Promise((resolve) => bareServer.close(resolve));
  await new Promise((resolve) => server.close(resolve));
  await deps.close();
  await database.dispose();
}
