import request from 'supertest';
import { startSweeper } from '../domain/sweeper.js';
import { openAccountState, startBillingHarness, type BillingHarness } from '../testing/harness.js';
import { registerBillingMetrics } from './billing-metrics.js';

// Billing's series on /metrics that the chart's alert rules read (charts/mindbot/files/prometheus-rules.yaml).

describe("billing's webhook, payment and sweeper metrics", () => {
  let h: BillingHarness;
  beforeAll(async () => {
    h = await startBillingHarness();
  }, 120_000);
  afterAll(async () => {
    await h.close();
  });

  /** The value of one series on /metrics (0 when absent), matched by every label given. */
  const metric = async (name: string, labels: Record<string, string> = {}): Promise<number> => {
    const text = (await request(h.app).get('/metrics')).text;
    const wanted = Object.entries(labels).map(([k, v]) => `${k}="${v}"`);
    return text
      .split('\n')
      .filter((line) => (line.startsWith(`${name}{`) || line.startsWith(`${name} `)) && wanted.every((w) => line.includes(w)))
      .reduce((sum, line) => sum + Number(line.split(' ').at(-1)), 0);
  };
  const webhooks = (type: string, outcome: string) => metric('billing_stripe_webhook_events_total', { type, outcome });
  const purchaseOf = async (userId: string) => {
    const user = `Bearer ${await h.token(h.tenantA, userId)}`;
    const created = await request(h.app).post('/v1/purchases').set('Authorization', user).send({ packageId: 'pkg_starter' });
    expect(created.status).toBe(201);
    return h.deps.tenants
      .forTenant(h.tenantA)
      .transaction((tx) => tx.purchase.findUniqueOrThrow({ where: { id: created.body.id as string } }));
  };

  it('counts deliveries by type and outcome: unchanged, parked and rejected', async () => {
    const account = openAccountState(h.accountOf(h.tenantA));
    const event = h.event('account.updated', h.accountOf(h.tenantA), account, { created: Math.floor(Date.now() / 1000) + 60 });
    const before = {
      unchanged: await webhooks('account.updated', 'unchanged'),
      parked: await webhooks('account.updated', 'parked'),
      rejected: await webhooks('unverified', 'rejected'),
    };

    // The harness opened the account's sales already: the same state again changes nothing.
    expect((await h.postEvent(event)).body.outcome).toBe('unchanged');
    const unknownAccount = h.event('account.updated', 'acct_nobodyhere', { ...account, id: 'acct_nobodyhere' });
    expect((await h.postEvent(unknownAccount)).body).toMatchObject({ outcome: 'ignored', reason: 'parked' });
    expect((await h.postEvent(unknownAccount)).body).toMatchObject({ outcome: 'ignored', reason: 'already_parked' });
    expect((await h.postEvent(event, { secret: 'whsec_someone_else' })).status).toBe(400);

    expect(await webhooks('account.updated', 'unchanged')).toBe(before.unchanged + 1);
    expect(await webhooks('account.updated', 'parked')).toBe(before.parked + 2);
    expect(await webhooks('unverified', 'rejected')).toBe(before.rejected + 1);
  });

  it('counts a delivery that could not be applied as failed (Stripe retries it), then applied, then duplicate', async () => {
    const row = await purchaseOf('usr_metrics_fault');
    const event = h.event('payment_intent.payment_failed', h.accountOf(h.tenantA), {
      id: 'pi_metrics_fault',
      object: 'payment_intent',
      metadata: { mindbot_purchase: row.id },
    });
    const before = {
      failed: await webhooks('payment_intent.payment_failed', 'failed'),
      applied: await webhooks('payment_intent.payment_failed', 'applied'),
      duplicate: await webhooks('payment_intent.payment_failed', 'duplicate'),
    };
    const scope = h.deps.tenants.forTenant(h.tenantA);
    // The tenant's table of processed events goes away, as when its database is unreachable mid-delivery.
    await scope.transaction((tx) => tx.$executeRaw`ALTER TABLE processed_webhook_events RENAME TO processed_webhook_events_away`);
    try {
      expect((await h.postEvent(event)).status).toBe(500);
    } finally {
      await scope.transaction((tx) => tx.$executeRaw`ALTER TABLE processed_webhook_events_away RENAME TO processed_webhook_events`);
    }
    expect(await webhooks('payment_intent.payment_failed', 'failed')).toBe(before.failed + 1);

    expect((await h.postEvent(event)).body.outcome).toBe('applied');
    expect((await h.postEvent(event)).body.outcome).toBe('duplicate');
    expect(await webhooks('payment_intent.payment_failed', 'applied')).toBe(before.applied + 1);
    expect(await webhooks('payment_intent.payment_failed', 'duplicate')).toBe(before.duplicate + 1);
  });

  it('counts a failed payment once per purchase, not for the second event telling the same', async () => {
    const row = await purchaseOf('usr_metrics_declined');
    const before = await metric('billing_payments_failed_total');
    const failed = await h.postEvent(
      h.event('payment_intent.payment_failed', h.accountOf(h.tenantA), {
        id: 'pi_metrics_declined',
        object: 'payment_intent',
        metadata: { mindbot_purchase: row.id },
      }),
    );
    expect(failed.body.outcome).toBe('applied');
    const sameNews = await h.postEvent(
      h.event('checkout.session.async_payment_failed', h.accountOf(h.tenantA), {
        id: row.checkoutSessionId,
        object: 'checkout.session',
        client_reference_id: row.id,
        payment_status: 'unpaid',
      }),
    );
    expect(sameNews.body).toMatchObject({ outcome: 'unchanged', reason: 'already_failed' });

    expect(await metric('billing_payments_failed_total')).toBe(before + 1);
    expect(await metric('billing_payments_failed_total', { type: 'payment_intent.payment_failed' })).toBeGreaterThanOrEqual(1);
  });

  it('counts voice sessions the sweeper closed after their heartbeats stopped, and when its last pass ended', async () => {
    await h.grant(h.tenantB, 'usr_metrics_gone');
    const started = await h.internal(h.tenantB).post('/sessions', { userId: 'usr_metrics_gone', startKey: `metrics-${Date.now()}` });
    expect(started.status).toBe(201);
    const reapedBefore = await metric('billing_voice_sessions_reaped_total');
    expect(await metric('billing_sweeper_last_pass_timestamp_seconds')).toBe(0);
    h.clock.advance(h.billing.metering.heartbeatTimeoutSeconds + 60);

    const stop = startSweeper({
      platform: h.deps.platform,
      tenants: h.deps.tenants,
      logger: h.log.logger,
      metering: h.billing.metering,
      stripe: h.stripe,
      livemode: false,
      parkedEventRetentionMs: 86_400_000,
      intervalMs: 50,
      clock: h.clock.now,
      observer: registerBillingMetrics(h.deps.metrics.registry).sweeper,
    });
    try {
      for (let i = 0; i < 100 && (await metric('billing_sweeper_last_pass_timestamp_seconds')) === 0; i++)
        await new Promise((resolve) => setTimeout(resolve, 50));
    } finally {
      await stop();
    }

    expect(await metric('billing_voice_sessions_reaped_total')).toBe(reapedBefore + 1);
    expect(await metric('billing_sweeper_last_pass_timestamp_seconds')).toBe(h.clock.now().getTime() / 1000);
    expect(await metric('billing_sweeper_errors_total')).toBe(0);
  });
});
