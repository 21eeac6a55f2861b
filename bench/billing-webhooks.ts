// Stripe webhook events processed per second through the real endpoint (signature check, routing
// by event.account, event recorded with its effect): N paid checkouts fulfilled, then the same N
// delivered again (duplicates). The requests come from a load generator in a child process (keep-alive
// HTTP/1.1 over BENCH_CONCURRENCY sockets, each one request at a time, signed before the clock starts),
// so this process's CPU time per event is the app's own. Baselines in the same run, same concurrency: a
// bare express 5 handler that only checks the signature of the same events, through the same generator
// (the HTTP and signing ceiling), and a plain pooled write transaction per event (BEGIN, one INSERT,
// COMMIT: the ceiling of one durable commit per event on this Postgres).
// Verifies one card and one purchase.completed job per purchase, and nothing changed by the replays.
//   npx tsx bench/billing-webhooks.ts      (BENCH_EVENTS=300, BENCH_CONCURRENCY=8 by default)
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { connect, type AddressInfo, type Socket } from 'node:net';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
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

interface SignedEvent {
  payload: string;
  signature: string;
}
interface LoadResult {
  elapsedMs: number;
  outcomes: Record<string, number>;
}

/** The child: `--load <base url> <file of signed events> <concurrency>`; prints a LoadResult as JSON. */
async function postAll(base: URL, signed: readonly SignedEvent[], sockets: number): Promise<LoadResult> {
  const outcomes: Record<string, number> = {};
  let next = 0;
  const t0 = performance.now();
  await Promise.all(
    Array.from({ length: sockets }, async () => {
      const socket = await new Promise<Socket>((resolve, reject) => {
        const opened = connect(Number(base.port), base.hostname, () => resolve(opened));
        opened.once('error', reject);
      });
      socket.setNoDelay(true);
      while (next < signed.length) {
        const { payload, signature } = signed[next++] ?? { payload: '', signature: '' };
        const body = Buffer.from(payload);
        const head =
          `POST /v1/webhooks/stripe HTTP/1.1\r\nHost: ${base.host}\r\nConnection: keep-alive\r\nContent-Type: application/json\r\n` +
          `Stripe-Signature: ${signature}\r\nContent-Length: ${body.length}\r\n\r\n`;
        const answer = await new Promise<string>((resolve, reject) => {
          let received: Buffer = Buffer.alloc(0);
          const onData = (chunk: Buffer) => {
            received = received.length === 0 ? chunk : Buffer.concat([received, chunk]);
            const headEnd = received.indexOf('\r\n\r\n');
            if (headEnd < 0) return;
            const answerHead = received.subarray(0, headEnd).toString('latin1');
            const length = Number(/\r\ncontent-length: *(\d+)/i.exec(answerHead)?.[1] ?? 0);
            if (received.length < headEnd + 4 + length) return;
            socket.off('data', onData);
            socket.off('error', reject);
            const outcome = /"outcome":"([a-z_]+)"/.exec(received.subarray(headEnd + 4, headEnd + 4 + length).toString())?.[1] ?? '?';
            resolve(`${answerHead.slice(9, 12)} ${outcome}`);
          };
          socket.on('data', onData);
          socket.once('error', reject);
          socket.write(Buffer.concat([Buffer.from(head, 'latin1'), body]));
        });
        outcomes[answer] = (outcomes[answer] ?? 0) + 1;
      }
      socket.destroy();
    }),
  );
  return { elapsedMs: performance.now() - t0, outcomes };
}

if (process.argv[2] === '--load') {
  const [, , , target = '', file = '', sockets = '8'] = process.argv;
  const result = await postAll(new URL(target), JSON.parse(readFileSync(file, 'utf8')) as SignedEvent[], Number(sockets));
  process.stdout.write(JSON.stringify(result));
  process.exit(0);
}

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

  const scratch = mkdtempSync(join(tmpdir(), 'bench-webhooks-'));
  const deliver = async (label: string, to = base): Promise<number> => {
    // Signed before the clock starts: signing is Stripe's work, not the endpoint's (5 minutes' tolerance).
    const file = join(scratch, 'signed.json');
    writeFileSync(
      file,
      JSON.stringify(payloads.map((payload) => ({ payload, signature: stripe.webhooks.generateTestHeaderString({ payload, secret }) }))),
    );
    const cpu0 = process.cpuUsage();
    const result = await new Promise<LoadResult>((resolve, reject) => {
      const child = spawn(
        process.execPath,
        [...process.execArgv, fileURLToPath(import.meta.url), '--load', to, file, String(concurrency)],
        {
          stdio: ['ignore', 'pipe', 'inherit'],
          env: process.env,
        },
      );
      let out = '';
      child.stdout.on('data', (chunk: Buffer) => (out += chunk.toString()));
      child.once('error', reject);
      child.once('exit', (code) =>
        code === 0 ? resolve(JSON.parse(out) as LoadResult) : reject(new Error(`load generator exited ${code}`)),
      );
    });
    const cpu = process.cpuUsage(cpu0);
    const rate = payloads.length / (result.elapsedMs / 1000);
    const cpuPerEvent = (cpu.user + cpu.system) / 1000 / payloads.length;
    process.stdout.write(
      `${label}: ${rate.toFixed(0)} events/s, ${cpuPerEvent.toFixed(2)} ms of the app's CPU per event  (${Object.entries(result.outcomes)
        .map(([k, v]) => `${k}×${v}`)
        .join(', ')})\n`,
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
  rmSync(scratch, { recursive: true, force: true });
} finally {
  await new Promise((resolve) => bareServer.close(resolve));
  await new Promise((resolve) => server.close(resolve));
  await deps.close();
  await database.dispose();
}
