import request from 'supertest';
import type { TenantTransaction } from '@mindbot/db';
import { webhookEventDataSchemas } from '@mindbot/sdk/schemas';
import { emitWebhookEvent, PLATFORM_EVENT_QUEUE, WEBHOOK_DELIVERY_QUEUE } from '@mindbot/jobs';
import { startBillingHarness, type BillingHarness } from '../testing/harness.js';

// A paid checkout is fulfilled by one SQL function (tenant migration 0020): the event id, the
// purchase, its card and the purchase.completed outbox rows in one statement. These tests hold it to
// what the step-by-step code guaranteed: once per event and per purchase under concurrent
// deliveries, the same outbox rows as emitWebhookEvent, and a card shrunk by an earlier refund.
describe('Stripe checkout fulfilment in one statement', () => {
  let h: BillingHarness;
  let hooked: string;

  beforeAll(async () => {
    h = await startBillingHarness();
    hooked = await h.addTenant('fulfilled');
    await h.deps.tenants.forTenant(hooked).transaction(async (tx) => {
      const endpoint = { url: 'https://hooks.example/mindbot', secret: 'whsec_unused_here', createdBy: 'usr_admin' };
      await tx.webhookEndpoint.createMany({
        data: [
          { ...endpoint, id: 'whe_b_subscribed', events: ['time_card.activated', 'purchase.completed'] },
          { ...endpoint, id: 'whe_a_subscribed', events: ['purchase.completed'] },
          { ...endpoint, id: 'whe_c_disabled', events: ['purchase.completed'], status: 'disabled' },
          { ...endpoint, id: 'whe_d_other_events', events: ['session.ended'] },
        ],
      });
    });
  }, 120_000);
  afterAll(async () => {
    await h.close();
  });

  const pendingPurchase = async (tenant: string, userId: string) => {
    const res = await request(h.app)
      .post('/v1/purchases')
      .set('Authorization', `Bearer ${await h.token(tenant, userId)}`)
      .send({ packageId: 'pkg_starter' });
    expect(res.status).toBe(201);
    return h.deps.tenants.forTenant(tenant).transaction((tx) => tx.purchase.findUniqueOrThrow({ where: { id: res.body.id as string } }));
  };
  const paidSession = (purchase: { id: string; checkoutSessionId: string | null }, paymentIntent: string) => ({
    id: purchase.checkoutSessionId,
    object: 'checkout.session',
    client_reference_id: purchase.id,
    amount_total: 999,
    currency: 'usd',
    payment_status: 'paid',
    payment_intent: paymentIntent,
  });
  /** The purchase's cards and the platform's purchase.completed jobs for it. */
  const issuedFor = (tenant: string, purchaseId: string) =>
    h.deps.tenants.forTenant(tenant).transaction(async (tx) => ({
      cards: await tx.timeCard.count({ where: { purchaseId } }),
      platformJobs: await tx.outboxEvent.count({
        where: { topic: PLATFORM_EVENT_QUEUE, payload: { path: ['data', 'purchaseId'], equals: purchaseId } },
      }),
    }));

  it('fulfils once when the same event is delivered eight times at once, and when two success events of one checkout race', async () => {
    const first = await pendingPurchase(h.tenantA, 'usr_race_1');
    const completed = h.event('checkout.session.completed', h.accountOf(h.tenantA), paidSession(first, 'pi_race_1'));
    const answers = await Promise.all(Array.from({ length: 8 }, () => h.postEvent(completed)));
    expect(answers.map((res) => res.status)).toEqual(Array(8).fill(200));
    expect(answers.map((res) => (res.body as { outcome: string }).outcome).sort()).toEqual([
      'applied',
      ...Array<string>(7).fill('duplicate'),
    ]);
    expect(await issuedFor(h.tenantA, first.id)).toEqual({ cards: 1, platformJobs: 1 });

    const second = await pendingPurchase(h.tenantA, 'usr_race_2');
    const session = paidSession(second, 'pi_race_2');
    const racing = [
      ...Array.from({ length: 4 }, () => h.event('checkout.session.completed', h.accountOf(h.tenantA), session)),
      ...Array.from({ length: 4 }, () => h.event('checkout.session.async_payment_succeeded', h.accountOf(h.tenantA), session)),
    ];
    const raced = await Promise.all(racing.map((event) => h.postEvent(event)));
    const outcomes = raced.map((res) => (res.body as { outcome: string; reason?: string }).outcome);
    expect(outcomes.filter((o) => o === 'applied')).toHaveLength(1);
    expect(raced.filter((res) => (res.body as { reason?: string }).reason === 'already_paid')).toHaveLength(7);
    expect(await issuedFor(h.tenantA, second.id)).toEqual({ cards: 1, platformJobs: 1 });
  });

  it('queues the same platform job, webhook event and per-endpoint deliveries as emitWebhookEvent', async () => {
    const startedAt = (await h.deps.tenants.forTenant(hooked).transaction((tx) => tx.outboxEvent.aggregate({ _max: { id: true } })))._max
      .id;
    const { purchaseId } = await h.buyCard(hooked, 'usr_outbox');
    const scope = h.deps.tenants.forTenant(hooked);
    const rowsSince = (tx: TenantTransaction, after: bigint) =>
      tx.outboxEvent.findMany({
        where: { id: { gt: after }, topic: { in: [PLATFORM_EVENT_QUEUE, WEBHOOK_DELIVERY_QUEUE] } },
        orderBy: { id: 'asc' },
        select: { topic: true, orderingKey: true, payload: true },
      });
    const fulfilled = await scope.transaction(async (tx) => ({
      outbox: await rowsSince(tx, startedAt ?? 0n),
      events: await tx.webhookEvent.findMany({ where: { payload: { path: ['data', 'purchaseId'], equals: purchaseId } } }),
    }));
    const data = webhookEventDataSchemas['purchase.completed'].parse(
      (fulfilled.events[0]?.payload as { data?: unknown } | undefined)?.data,
    );
    expect(data).toEqual({ purchaseId, userId: 'usr_outbox', packageId: 'pkg_starter', amount: 999, currency: 'usd', seconds: 3600 });

    // The same event through emitWebhookEvent, in a transaction that is then rolled back.
    const rollback = new Error('rolled back on purpose');
    let emitted: { outbox: typeof fulfilled.outbox; event: unknown } | undefined;
    await expect(
      scope.transaction(async (tx) => {
        const before = (await tx.outboxEvent.aggregate({ _max: { id: true } }))._max.id ?? 0n;
        const occurredAt = fulfilled.events[0]?.createdAt ?? new Date();
        const eventId = await emitWebhookEvent(tx, { type: 'purchase.completed', data }, occurredAt);
        emitted = {
          outbox: await rowsSince(tx, before),
          event: (await tx.webhookEvent.findUniqueOrThrow({ where: { id: eventId ?? '' } })).payload,
        };
        throw rollback;
      }),
    ).rejects.toBe(rollback);

    const eventId = fulfilled.events[0]?.id ?? '';
    const emittedEventId = (emitted?.event as { id: string }).id;
    // Only the ids differ (a new event id; the times are the same instant in the same ISO form).
    const sameIds = (value: unknown) => JSON.parse(JSON.stringify(value).replaceAll(emittedEventId, eventId)) as unknown;
    expect(fulfilled.events).toHaveLength(1);
    expect(fulfilled.events[0]?.payload).toEqual(sameIds(emitted?.event));
    expect(fulfilled.outbox).toEqual(sameIds(emitted?.outbox));
    expect(fulfilled.outbox.map((row) => [row.topic, row.orderingKey])).toEqual([
      [PLATFORM_EVENT_QUEUE, null],
      [WEBHOOK_DELIVERY_QUEUE, 'whe_a_subscribed'],
      [WEBHOOK_DELIVERY_QUEUE, 'whe_b_subscribed'],
    ]);
  });

  it('issues a card without the share of a partial refund seen before the payment was fulfilled', async () => {
    const purchase = await pendingPurchase(h.tenantA, 'usr_refund_first');
    // Stripe says which purchase the charge's payment intent belongs to; here the purchase already knows it.
    await h.deps.tenants
      .forTenant(h.tenantA)
      .transaction((tx) => tx.purchase.update({ where: { id: purchase.id }, data: { paymentIntentId: 'pi_refund_first' } }));
    const refund = h.event('charge.refunded', h.accountOf(h.tenantA), {
      id: 'ch_refund_first',
      object: 'charge',
      payment_intent: 'pi_refund_first',
      refunded: false,
      amount_refunded: 100,
    });
    expect((await h.postEvent(refund)).body).toMatchObject({ outcome: 'applied' });
    const paid = await h.postEvent(h.event('checkout.session.completed', h.accountOf(h.tenantA), paidSession(purchase, 'pi_refund_first')));
    expect(paid.body).toMatchObject({ outcome: 'applied' });
    const card = await h.deps.tenants
      .forTenant(h.tenantA)
      .transaction((tx) => tx.timeCard.findUniqueOrThrow({ where: { purchaseId: purchase.id } }));
    // 100 of 999 cents refunded: floor(3600 × 100 / 999) = 360 s taken back.
    expect(card.seconds).toBe(3240);
    expect(card.status).toBe('issued');
  });

  it("changes nothing for a purchase of another tenant's account or an unknown purchase, but remembers the event", async () => {
    const other = await pendingPurchase(h.tenantB, 'usr_elsewhere');
    const wrongTenant = h.event('checkout.session.completed', h.accountOf(h.tenantA), paidSession(other, 'pi_elsewhere'));
    expect((await h.postEvent(wrongTenant)).body).toMatchObject({ outcome: 'ignored', reason: 'unknown_purchase', tenant: h.tenantA });
    expect((await h.postEvent(wrongTenant)).body).toMatchObject({ outcome: 'duplicate' });
    const row = await h.deps.tenants.forTenant(h.tenantB).transaction((tx) => tx.purchase.findUniqueOrThrow({ where: { id: other.id } }));
    expect(row.status).toBe('pending');
    expect(await issuedFor(h.tenantB, other.id)).toEqual({ cards: 0, platformJobs: 0 });
  });
});
