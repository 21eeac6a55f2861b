import request from 'supertest';
import { SERVICE_TOKEN, startBillingHarness, type BillingHarness } from '../testing/harness.js';

describe('buying a time card: purchase, Stripe webhook fulfilment, activation', () => {
  let h: BillingHarness;
  beforeAll(async () => {
    h = await startBillingHarness();
  }, 120_000);
  afterAll(async () => {
    await h.close();
  });

  const auth = async (tenant: string, userId: string, roles?: string[]) => `Bearer ${await h.token(tenant, userId, roles)}`;
  const countRows = (tenant: string) =>
    h.deps.tenants.forTenant(tenant).transaction(async (tx) => ({
      purchases: await tx.purchase.count(),
      cards: await tx.timeCard.count(),
      entries: await tx.ledgerEntry.count(),
      lots: await tx.minuteLot.count(),
    }));
  /** The tenant's audit entries of billing's actions, oldest first. */
  const billingAudit = (tenant: string) =>
    h.deps.tenants.forTenant(tenant).transaction((tx) =>
      tx.auditEvent.findMany({
        where: { action: { startsWith: 'billing.' } },
        orderBy: { seq: 'asc' },
        select: { action: true, actorId: true, target: true, data: true },
      }),
    );

  it('lists the default packages with prices in cents and time in seconds', async () => {
    const res = await request(h.app)
      .get('/v1/packages')
      .set('Authorization', await auth(h.tenantA, 'usr_p1'));
    expect(res.status).toBe(200);
    expect(
      (res.body.packages as { name: string; priceCents: number; totalSeconds: number }[]).map((p) => [
        p.name,
        p.priceCents,
        p.totalSeconds,
      ]),
    ).toEqual([
      ['Starter', 999, 3600],
      ['Basic', 4499, 19800],
      ['Premium', 7999, 43200],
      ['Pro', 17999, 108000],
      ['Enterprise', 29999, 216000],
    ]);
  });

  it('answers a Checkout URL on the tenant account with the platform fee, and the same purchase for a retried request', async () => {
    const user = await auth(h.tenantA, 'usr_p2');
    const first = await request(h.app)
      .post('/v1/purchases')
      .set('Authorization', user)
      .set('Idempotency-Key', 'buy-basic-0001')
      .send({ packageId: 'pkg_basic' });
    expect(first.status).toBe(201);
    expect(first.body).toMatchObject({ packageId: 'pkg_basic', amountCents: 4499, currency: 'usd', seconds: 19800, status: 'pending' });
    expect(first.body.checkoutUrl).toMatch(/^https:\/\/checkout\.stripe\.com\//);
    const again = await request(h.app)
      .post('/v1/purchases')
      .set('Authorization', user)
      .set('Idempotency-Key', 'buy-basic-0001')
      .send({ packageId: 'pkg_basic' });
    expect(again.status).toBe(201);
    expect(again.body.id).toBe(first.body.id);
    const row = await h.deps.tenants
      .forTenant(h.tenantA)
      .transaction((tx) => tx.purchase.findUniqueOrThrow({ where: { id: first.body.id as string } }));
    expect(row.applicationFeeCents).toBe(450);
    expect(row.checkoutSessionId).toMatch(/^cs_/);
  });

  it('issues exactly one card for a paid checkout, whatever the number of deliveries, and activates it once', async () => {
    const { code, purchaseId } = await h.buyCard(h.tenantA, 'usr_p3');
    expect(code).toMatch(/^[2-9A-HJKMNP-Z]{4}-[2-9A-HJKMNP-Z]{4}-[2-9A-HJKMNP-Z]{4}$/);
    const user = await auth(h.tenantA, 'usr_p3');
    const activated = await request(h.app).post('/v1/time-cards/activate').set('Authorization', user).send({ code: code.toLowerCase() });
    expect(activated.status).toBe(201);
    expect(activated.body.seconds).toBe(3600);
    const balance = await request(h.app).get('/v1/balance').set('Authorization', user);
    expect(balance.body).toMatchObject({ availableSeconds: 3600, totalSeconds: 3600, heldSeconds: 0 });
    expect(new Date(balance.body.lots[0].expiresAt as string).getTime() - h.clock.now().getTime()).toBeGreaterThan(364 * 86_400_000);
    const reused = await request(h.app).post('/v1/time-cards/activate').set('Authorization', user).send({ code });
    expect(reused.status).toBe(409);
    const cards = await request(h.app).get('/v1/time-cards').set('Authorization', user);
    expect(cards.body.timeCards).toEqual([expect.objectContaining({ purchaseId, status: 'active', activationCode: null })]);
  });

  it('answers 200 and changes nothing when the same event is delivered again (duplicate), or another event for the same checkout (unchanged)', async () => {
    const user = await auth(h.tenantA, 'usr_p4');
    const purchase = await request(h.app).post('/v1/purchases').set('Authorization', user).send({ packageId: 'pkg_starter' });
    const row = await h.deps.tenants
      .forTenant(h.tenantA)
      .transaction((tx) => tx.purchase.findUniqueOrThrow({ where: { id: purchase.body.id as string } }));
    const session = {
      id: row.checkoutSessionId,
      object: 'checkout.session',
      client_reference_id: row.id,
      amount_total: 999,
      currency: 'usd',
      payment_status: 'paid',
      payment_intent: 'pi_dup_1',
    };
    const completed = h.event('checkout.session.completed', h.accountOf(h.tenantA), session);
    expect((await h.postEvent(completed)).body).toMatchObject({ received: true, outcome: 'applied' });
    const before = await countRows(h.tenantA);
    const again = await h.postEvent(completed);
    expect(again.status).toBe(200);
    expect(again.body.outcome).toBe('duplicate');
    const second = await h.postEvent(h.event('checkout.session.async_payment_succeeded', h.accountOf(h.tenantA), session));
    // Not `applied`: the purchase was paid already, nothing changed.
    expect(second.body).toEqual({ received: true, outcome: 'unchanged', reason: 'already_paid', tenant: h.tenantA });
    expect(await countRows(h.tenantA)).toEqual(before);
  });

  it('fulfils whatever the order: expiry or failure before success still ends paid with one card', async () => {
    const user = await auth(h.tenantA, 'usr_p5');
    const purchase = await request(h.app).post('/v1/purchases').set('Authorization', user).send({ packageId: 'pkg_starter' });
    const row = await h.deps.tenants
      .forTenant(h.tenantA)
      .transaction((tx) => tx.purchase.findUniqueOrThrow({ where: { id: purchase.body.id as string } }));
    const base = {
      id: row.checkoutSessionId,
      object: 'checkout.session',
      client_reference_id: row.id,
      amount_total: 999,
      currency: 'usd',
      payment_intent: 'pi_order_1',
    };
    const outcomes = [
      await h.postEvent(
        h.event('payment_intent.payment_failed', h.accountOf(h.tenantA), {
          id: 'pi_order_1',
          object: 'payment_intent',
          metadata: { mindbot_purchase: row.id },
        }),
      ),
      await h.postEvent(h.event('checkout.session.completed', h.accountOf(h.tenantA), { ...base, payment_status: 'unpaid' })),
      await h.postEvent(h.event('checkout.session.async_payment_succeeded', h.accountOf(h.tenantA), { ...base, payment_status: 'paid' })),
      await h.postEvent(h.event('checkout.session.expired', h.accountOf(h.tenantA), { ...base, payment_status: 'paid' })),
    ]
      .map((res) => res.body as { outcome: string; reason?: string })
      .map((body) => [body.outcome, body.reason]);
    // Each answer says what it did: only the failure and the success changed the purchase.
    expect(outcomes).toEqual([
      ['applied', undefined],
      ['unchanged', 'already_failed'],
      ['applied', undefined],
      ['unchanged', 'already_paid'],
    ]);
    const purchases = await request(h.app).get('/v1/purchases').set('Authorization', user);
    expect(purchases.body.purchases).toEqual([expect.objectContaining({ id: row.id, status: 'paid' })]);
    const cards = await request(h.app).get('/v1/time-cards').set('Authorization', user);
    expect(cards.body.timeCards).toHaveLength(1);
  });

  it('marks a failed async payment and an expired checkout without issuing a card', async () => {
    const user = await auth(h.tenantA, 'usr_p6');
    for (const type of ['checkout.session.async_payment_failed', 'checkout.session.expired']) {
      const purchase = await request(h.app).post('/v1/purchases').set('Authorization', user).send({ packageId: 'pkg_starter' });
      const id = purchase.body.id as string;
      const res = await h.postEvent(
        h.event(type, h.accountOf(h.tenantA), {
          id: 'cs_x',
          object: 'checkout.session',
          client_reference_id: id,
          payment_status: 'unpaid',
        }),
      );
      expect(res.body.outcome).toBe('ignored'); // the session id does not match the purchase's
      const row = await h.deps.tenants.forTenant(h.tenantA).transaction((tx) => tx.purchase.findUniqueOrThrow({ where: { id } }));
      const ok = await h.postEvent(
        h.event(type, h.accountOf(h.tenantA), {
          id: row.checkoutSessionId,
          object: 'checkout.session',
          client_reference_id: id,
          payment_status: 'unpaid',
        }),
      );
      expect(ok.body.outcome).toBe('applied');
      // The same news again, in another event: nothing left to change.
      const again = await h.postEvent(
        h.event(type, h.accountOf(h.tenantA), {
          id: row.checkoutSessionId,
          object: 'checkout.session',
          client_reference_id: id,
          payment_status: 'unpaid',
        }),
      );
      expect(again.body).toMatchObject({
        outcome: 'unchanged',
        reason: type === 'checkout.session.expired' ? 'already_expired' : 'already_failed',
      });
    }
    const purchases = await request(h.app).get('/v1/purchases').set('Authorization', user);
    expect((purchases.body.purchases as { status: string }[]).map((p) => p.status).sort()).toEqual(['expired', 'failed']);
    expect((await request(h.app).get('/v1/time-cards').set('Authorization', user)).body.timeCards).toEqual([]);
  });

  it('does not fulfil a checkout whose amount differs from the purchase', async () => {
    const user = await auth(h.tenantA, 'usr_p7');
    const purchase = await request(h.app).post('/v1/purchases').set('Authorization', user).send({ packageId: 'pkg_pro' });
    const row = await h.deps.tenants
      .forTenant(h.tenantA)
      .transaction((tx) => tx.purchase.findUniqueOrThrow({ where: { id: purchase.body.id as string } }));
    const res = await h.postEvent(
      h.event('checkout.session.completed', h.accountOf(h.tenantA), {
        id: row.checkoutSessionId,
        object: 'checkout.session',
        client_reference_id: row.id,
        amount_total: 50,
        currency: 'usd',
        payment_status: 'paid',
      }),
    );
    expect(res.body).toMatchObject({ outcome: 'ignored', reason: 'amount_mismatch' });
    expect((await request(h.app).get('/v1/time-cards').set('Authorization', user)).body.timeCards).toEqual([]);
  });

  it('takes back the unspent seconds of a refunded card and shows it in the history', async () => {
    await h.grant(h.tenantA, 'usr_p8');
    const { paymentIntentId, code } = await h.buyCard(h.tenantA, 'usr_p8');
    const user = await auth(h.tenantA, 'usr_p8');
    expect((await request(h.app).post('/v1/time-cards/activate').set('Authorization', user).send({ code })).status).toBe(201);
    expect((await request(h.app).get('/v1/balance').set('Authorization', user)).body.totalSeconds).toBe(7200);
    const refund = h.event('charge.refunded', h.accountOf(h.tenantA), {
      id: 'ch_r1',
      object: 'charge',
      payment_intent: paymentIntentId,
      refunded: true,
      amount_refunded: 999,
    });
    const audited = (await billingAudit(h.tenantA)).length;
    expect((await h.postEvent(refund)).body.outcome).toBe('applied');
    expect((await h.postEvent(refund)).body.outcome).toBe('duplicate');
    // The refund Stripe reported is in the tenant's audit log, once, with Stripe (no user) as the actor.
    const refundsSeen = (await billingAudit(h.tenantA)).slice(audited);
    expect(refundsSeen).toEqual([
      {
        action: 'billing.refund_seen',
        actorId: null,
        target: expect.stringMatching(/^pur_/),
        data: { stripeEvent: refund.id, refundedCents: 999, amountCents: 999, currency: 'usd', whole: true },
      },
    ]);
    const dispute = h.event('charge.dispute.created', h.accountOf(h.tenantA), {
      id: 'dp_1',
      object: 'dispute',
      payment_intent: paymentIntentId,
      charge: 'ch_r1',
    });
    // The refund took everything back already: the dispute changes nothing.
    expect((await h.postEvent(dispute)).body).toMatchObject({ outcome: 'unchanged', reason: 'already_refunded' });
    expect((await request(h.app).get('/v1/balance').set('Authorization', user)).body.totalSeconds).toBe(3600);
    const history = await request(h.app).get('/v1/history').set('Authorization', user);
    expect((history.body.entries as { kind: string; seconds: number }[]).map((e) => [e.kind, e.seconds])).toEqual([
      ['reversal', -3600],
      ['credit', 3600],
      ['credit', 3600],
    ]);
    expect(await h.ledgerProblems(h.tenantA)).toEqual([]);
  });

  it('takes back only what is unspent when a card is disputed during a call, counting the seconds the call used since its last capture as spent', async () => {
    const { paymentIntentId, code } = await h.buyCard(h.tenantA, 'usr_p_call');
    const user = await auth(h.tenantA, 'usr_p_call');
    expect((await request(h.app).post('/v1/time-cards/activate').set('Authorization', user).send({ code })).status).toBe(201);
    const internal = (path: string, body: object) =>
      request(h.app).post(`/internal/v1/tenants/${h.tenantA}${path}`).set('Authorization', `Bearer ${SERVICE_TOKEN}`).send(body);
    const started = await internal('/sessions', { userId: 'usr_p_call', startKey: 'dispute-during-call-1' });
    expect(started.status).toBe(201);
    const sessionId = started.body.sessionId as string;
    h.clock.advance(21);
    expect((await internal(`/sessions/${sessionId}/heartbeat`, { elapsedSeconds: 20 })).body).toMatchObject({ chargedSeconds: 20 });
    const dispute = h.event('charge.dispute.created', h.accountOf(h.tenantA), {
      id: 'dp_call',
      object: 'dispute',
      payment_intent: paymentIntentId,
      charge: 'ch_call',
    });
    expect((await h.postEvent(dispute)).body.outcome).toBe('applied');
    const history = await request(h.app).get('/v1/history').set('Authorization', user);
    expect((history.body.entries as { kind: string; seconds: number }[]).map((e) => [e.kind, e.seconds])).toEqual([
      ['reversal', -3580],
      ['usage', -20],
      ['credit', 3600],
    ]);
    // Nothing is left to charge the rest of the call to: settled, not charged.
    h.clock.advance(5);
    expect((await internal(`/sessions/${sessionId}/end`, { elapsedSeconds: 25 })).body).toMatchObject({
      status: 'ended',
      settledSeconds: 25,
      chargedSeconds: 20,
    });
    expect(await h.ledgerProblems(h.tenantA)).toEqual([]);
  });

  describe('partial refunds take back only the refunded share, once', () => {
    const balanceOf = async (userId: string) =>
      (
        (
          await request(h.app)
            .get('/v1/balance')
            .set('Authorization', await auth(h.tenantA, userId))
        ).body as { totalSeconds: number }
      ).totalSeconds;
    const reversals = async (userId: string) =>
      (
        (
          await request(h.app)
            .get('/v1/history')
            .set('Authorization', await auth(h.tenantA, userId))
        ).body.entries as { kind: string; seconds: number }[]
      )
        .filter((e) => e.kind === 'reversal')
        .map((e) => e.seconds);
    const refunded = (paymentIntentId: string, amountRefunded: number, o: { id?: string; full?: boolean } = {}) =>
      h.event(
        'charge.refunded',
        h.accountOf(h.tenantA),
        {
          id: 'ch_partial',
          object: 'charge',
          payment_intent: paymentIntentId,
          amount: 999,
          refunded: o.full ?? false,
          amount_refunded: amountRefunded,
        },
        o.id === undefined ? {} : { id: o.id },
      );

    it('takes the floored share of an activated card, ignoring repeated, stale and overlapping refund events', async () => {
      const { paymentIntentId, code, purchaseId } = await h.buyCard(h.tenantA, 'usr_pr1');
      expect(
        (
          await request(h.app)
            .post('/v1/time-cards/activate')
            .set('Authorization', await auth(h.tenantA, 'usr_pr1'))
            .send({ code })
        ).status,
      ).toBe(201);

      // A third of $9.99 refunded: a third of the hour.
      const third = refunded(paymentIntentId, 333);
      expect((await h.postEvent(third)).body.outcome).toBe('applied');
      expect(await balanceOf('usr_pr1')).toBe(2400);
      expect((await h.postEvent(third)).body.outcome).toBe('duplicate');
      // Another event reporting the same cumulative amount (charge.refunded for the same refund again).
      expect((await h.postEvent(refunded(paymentIntentId, 333))).body).toMatchObject({
        outcome: 'unchanged',
        reason: 'refund_already_applied',
      });
      expect(await balanceOf('usr_pr1')).toBe(2400);

      // The second refund's event overtakes nothing: the later, cumulative amount wins; an older one arriving late changes nothing.
      const twoThirds = refunded(paymentIntentId, 666);
      const lateFirst = refunded(paymentIntentId, 333);
      expect((await h.postEvent(twoThirds)).body.outcome).toBe('applied');
      expect((await h.postEvent(lateFirst)).body).toMatchObject({ outcome: 'unchanged', reason: 'refund_already_applied' });
      expect(await balanceOf('usr_pr1')).toBe(1200);

      // One more cent: 3600 × 667 / 999 = 2403.6 → 2403 s in all, so 3 s more (never rounded up).
      expect((await h.postEvent(refunded(paymentIntentId, 667))).body.outcome).toBe('applied');
      expect(await balanceOf('usr_pr1')).toBe(1197);
      expect(await reversals('usr_pr1')).toEqual([-3, -1200, -1200]);
      const purchases = await request(h.app)
        .get('/v1/purchases')
        .set('Authorization', await auth(h.tenantA, 'usr_pr1'));
      expect(purchases.body.purchases).toEqual([expect.objectContaining({ id: purchaseId, status: 'paid' })]);

      // The rest refunded: whatever is left goes, the card is revoked and the purchase is refunded.
      expect((await h.postEvent(refunded(paymentIntentId, 999, { full: true }))).body.outcome).toBe('applied');
      expect(await balanceOf('usr_pr1')).toBe(0);
      expect(await reversals('usr_pr1')).toEqual([-1197, -3, -1200, -1200]);
      const after = await request(h.app)
        .get('/v1/purchases')
        .set('Authorization', await auth(h.tenantA, 'usr_pr1'));
      expect(after.body.purchases).toEqual([expect.objectContaining({ id: purchaseId, status: 'refunded' })]);
      expect(
        (
          await request(h.app)
            .get('/v1/time-cards')
            .set('Authorization', await auth(h.tenantA, 'usr_pr1'))
        ).body.timeCards,
      ).toEqual([expect.objectContaining({ status: 'revoked' })]);
      expect(await h.ledgerProblems(h.tenantA)).toEqual([]);
    });

    it('never takes back more than is unspent: time already talked stays spent', async () => {
      const { paymentIntentId, code } = await h.buyCard(h.tenantA, 'usr_pr2');
      expect(
        (
          await request(h.app)
            .post('/v1/time-cards/activate')
            .set('Authorization', await auth(h.tenantA, 'usr_pr2'))
            .send({ code })
        ).status,
      ).toBe(201);
      const started = await h.internal(h.tenantA).post('/sessions', { userId: 'usr_pr2', startKey: 'partial-refund-spend-1' });
      expect(started.status).toBe(201);
      h.clock.advance(3000);
      expect((await h.internal(h.tenantA).post(`/sessions/${started.body.sessionId as string}/end`, { elapsedSeconds: 3000 })).status).toBe(
        200,
      );
      expect(await balanceOf('usr_pr2')).toBe(600);

      // Half refunded is worth 1,801 s, but only 600 s are left to take.
      expect((await h.postEvent(refunded(paymentIntentId, 500))).body.outcome).toBe('applied');
      expect(await balanceOf('usr_pr2')).toBe(0);
      expect((await h.postEvent(refunded(paymentIntentId, 700))).body.outcome).toBe('applied');
      expect(await reversals('usr_pr2')).toEqual([-600]);
      expect(await h.ledgerProblems(h.tenantA)).toEqual([]);
    });

    it('shrinks a card not yet activated, which then credits only what was not refunded', async () => {
      const { paymentIntentId, code } = await h.buyCard(h.tenantA, 'usr_pr3');
      expect((await h.postEvent(refunded(paymentIntentId, 250))).body.outcome).toBe('applied');
      expect((await h.postEvent(refunded(paymentIntentId, 250))).body.outcome).toBe('unchanged');
      const cards = await request(h.app)
        .get('/v1/time-cards')
        .set('Authorization', await auth(h.tenantA, 'usr_pr3'));
      // 3600 × 250 / 999 = 900.9 → 900 s refunded.
      expect(cards.body.timeCards).toEqual([expect.objectContaining({ seconds: 2700, status: 'issued' })]);
      const activated = await request(h.app)
        .post('/v1/time-cards/activate')
        .set('Authorization', await auth(h.tenantA, 'usr_pr3'))
        .send({ code });
      expect(activated.status).toBe(201);
      expect(activated.body.seconds).toBe(2700);
      expect(await balanceOf('usr_pr3')).toBe(2700);
    });
  });

  it('revokes an unused code when its payment is disputed', async () => {
    const { paymentIntentId, code } = await h.buyCard(h.tenantA, 'usr_p9');
    await h.postEvent(
      h.event('charge.dispute.created', h.accountOf(h.tenantA), { id: 'dp_2', object: 'dispute', payment_intent: paymentIntentId }),
    );
    const res = await request(h.app)
      .post('/v1/time-cards/activate')
      .set('Authorization', await auth(h.tenantA, 'usr_p9'))
      .send({ code });
    expect(res.status).toBe(410);
  });

  it('refuses a forged, tampered, stale or unsigned webhook with 400 and changes nothing', async () => {
    const user = await auth(h.tenantA, 'usr_p10');
    const purchase = await request(h.app).post('/v1/purchases').set('Authorization', user).send({ packageId: 'pkg_starter' });
    const row = await h.deps.tenants
      .forTenant(h.tenantA)
      .transaction((tx) => tx.purchase.findUniqueOrThrow({ where: { id: purchase.body.id as string } }));
    const completed = h.event('checkout.session.completed', h.accountOf(h.tenantA), {
      id: row.checkoutSessionId,
      object: 'checkout.session',
      client_reference_id: row.id,
      amount_total: 999,
      currency: 'usd',
      payment_status: 'paid',
    });
    const before = await countRows(h.tenantA);
    const forged = await h.postEvent(completed, { secret: 'whsec_someone_else' });
    const stale = await h.postEvent(completed, { timestamp: Math.floor(Date.now() / 1000) - 301 });
    const body = JSON.stringify(completed);
    const signature = h.stripe.webhooks.generateTestHeaderString({ payload: body, secret: 'whsec_test_billing_harness_secret' });
    const tampered = await request(h.app)
      .post('/v1/webhooks/stripe')
      .set('Content-Type', 'application/json')
      .set('Stripe-Signature', signature)
      .send(body.replace('"paid"', '"paid" '));
    const unsigned = await request(h.app).post('/v1/webhooks/stripe').set('Content-Type', 'application/json').send(body);
    const garbage = await request(h.app).post('/v1/webhooks/stripe').set('Stripe-Signature', 't=1,v1=00').send('not json');
    for (const res of [forged, stale, tampered, unsigned, garbage]) {
      expect(res.status).toBe(400);
      expect(res.headers['content-type']).toMatch(/application\/problem\+json/);
    }
    expect(await countRows(h.tenantA)).toEqual(before);
  });

  it("parks events of unknown accounts, ignores the other mode, and never lets one tenant's account touch another's purchase", async () => {
    const user = await auth(h.tenantA, 'usr_p11');
    const purchase = await request(h.app).post('/v1/purchases').set('Authorization', user).send({ packageId: 'pkg_starter' });
    const row = await h.deps.tenants
      .forTenant(h.tenantA)
      .transaction((tx) => tx.purchase.findUniqueOrThrow({ where: { id: purchase.body.id as string } }));
    const session = {
      id: row.checkoutSessionId,
      object: 'checkout.session',
      client_reference_id: row.id,
      amount_total: 999,
      currency: 'usd',
      payment_status: 'paid',
    };
    expect((await h.postEvent(h.event('checkout.session.completed', 'acct_unknown', session))).body).toMatchObject({
      outcome: 'ignored',
      reason: 'parked',
    });
    expect(
      (await h.postEvent({ ...h.event('checkout.session.completed', h.accountOf(h.tenantA), session), livemode: true })).body,
    ).toMatchObject({ outcome: 'ignored', reason: 'livemode_mismatch' });
    expect((await h.postEvent(h.event('checkout.session.completed', h.accountOf(h.tenantB), session))).body).toMatchObject({
      outcome: 'ignored',
      reason: 'unknown_purchase',
    });
    expect((await request(h.app).get('/v1/time-cards').set('Authorization', user)).body.timeCards).toEqual([]);
  });

  it('closes sales while the account cannot take card payments, telling why, and ignores an older account.updated', async () => {
    const account = h.accountOf(h.tenantB);
    const now = Math.floor(Date.now() / 1000);
    const disabled = h.event(
      'account.updated',
      account,
      {
        id: account,
        object: 'account',
        charges_enabled: false,
        payouts_enabled: false,
        details_submitted: true,
        capabilities: { card_payments: 'inactive' },
        requirements: { disabled_reason: 'requirements.past_due', currently_due: ['external_account'] },
      },
      { created: now + 5 },
    );
    const audited = (await billingAudit(h.tenantB)).length;
    expect((await h.postEvent(disabled)).body.outcome).toBe('applied');
    const user = await auth(h.tenantB, 'usr_p12');
    const refused = await request(h.app).post('/v1/purchases').set('Authorization', user).send({ packageId: 'pkg_starter' });
    expect(refused.status).toBe(409);
    expect(refused.body.reason).toMatch(/requirements\.past_due/);
    const older = h.event(
      'account.updated',
      account,
      {
        id: account,
        object: 'account',
        charges_enabled: true,
        payouts_enabled: true,
        details_submitted: true,
        capabilities: { card_payments: 'active' },
        requirements: { disabled_reason: null, currently_due: [] },
      },
      { created: now },
    );
    expect((await h.postEvent(older)).body).toMatchObject({ outcome: 'unchanged', reason: 'older_than_current_state' });
    const status = await request(h.app)
      .get('/v1/admin/billing')
      .set('Authorization', await auth(h.tenantB, 'usr_admin', ['admin']));
    expect(status.body).toMatchObject({ salesOpen: false, requirementsDue: ['external_account'] });
    const opened = {
      id: account,
      object: 'account',
      charges_enabled: true,
      payouts_enabled: true,
      details_submitted: true,
      capabilities: { card_payments: 'active' },
      requirements: { disabled_reason: null, currently_due: [] },
    };
    const newer = h.event('account.updated', account, opened, { created: now + 10 });
    expect((await h.postEvent(newer)).body.outcome).toBe('applied');
    // A later event that repeats the recorded state changes nothing and says so.
    const same = h.event('account.updated', account, opened, { created: now + 20 });
    expect((await h.postEvent(same)).body).toEqual({ received: true, outcome: 'unchanged', reason: 'same_state', tenant: h.tenantB });
    // Each change of the account is in the tenant's audit log, with sales closing and opening as their own actions; repeats add nothing.
    const changes = (await billingAudit(h.tenantB)).slice(audited);
    expect(changes.map((c) => [c.action, c.actorId, c.target])).toEqual([
      ['billing.account_updated', null, account],
      ['billing.sales_closed', null, account],
      ['billing.account_updated', null, account],
      ['billing.sales_opened', null, account],
    ]);
    expect(changes[0]?.data).toMatchObject({
      stripeEvent: disabled.id,
      chargesEnabled: false,
      disabledReason: 'requirements.past_due',
      salesOpen: false,
    });
    expect(changes[1]?.data).toMatchObject({ reason: expect.stringMatching(/requirements\.past_due/) });
    expect((await request(h.app).post('/v1/purchases').set('Authorization', user).send({ packageId: 'pkg_starter' })).status).toBe(201);
  });

  it('refuses bad purchase input with 400 and unknown or inactive packages with 404, creating nothing', async () => {
    const user = await auth(h.tenantA, 'usr_p13');
    const before = await countRows(h.tenantA);
    for (const body of [
      {},
      { packageId: 42 },
      { packageId: 'pkg_starter', amountCents: -1 },
      { packageId: "pkg_'; DROP TABLE purchases;--" },
    ]) {
      const res = await request(h.app).post('/v1/purchases').set('Authorization', user).send(body);
      expect(res.status).toBe(400);
      expect(res.body.code).toBe('validation_failed');
    }
    const malformed = await request(h.app)
      .post('/v1/purchases')
      .set('Authorization', user)
      .set('Content-Type', 'application/json')
      .send('{"packageId":');
    expect(malformed.status).toBe(400);
    expect((await request(h.app).post('/v1/purchases').set('Authorization', user).send({ packageId: 'pkg_nonexistent' })).status).toBe(404);
    const badKey = await request(h.app)
      .post('/v1/purchases')
      .set('Authorization', user)
      .set('Idempotency-Key', 'x')
      .send({ packageId: 'pkg_starter' });
    expect(badKey.status).toBe(400);
    expect(await countRows(h.tenantA)).toEqual(before);
  });

  it('refuses wrong codes, then rate-limits guessing with 429 even for a correct code', async () => {
    const { code } = await h.buyCard(h.tenantA, 'usr_guess');
    const guesser = await auth(h.tenantA, 'usr_guesser');
    const wrong = ['2222-2222-2222', 'not-a-code', '3333-3333-3333', '4444-4444-4444', '5555-5555-5555'];
    for (const guess of wrong) {
      const res = await request(h.app).post('/v1/time-cards/activate').set('Authorization', guesser).send({ code: guess });
      expect(res.status).toBe(404);
    }
    const limited = await request(h.app).post('/v1/time-cards/activate').set('Authorization', guesser).send({ code });
    expect(limited.status).toBe(429);
    expect(Number(limited.headers['retry-after'])).toBeGreaterThan(0);
    // The owner is not affected by someone else's guessing, and the code is never written to the log.
    expect(
      (
        await request(h.app)
          .post('/v1/time-cards/activate')
          .set('Authorization', await auth(h.tenantA, 'usr_guess'))
          .send({ code })
      ).status,
    ).toBe(201);
    expect(JSON.stringify(h.log.lines)).not.toContain(code);
    expect(JSON.stringify(h.log.lines)).not.toContain('2222-2222-2222');
  });

  it('lets exactly one of many concurrent activations of one code succeed', async () => {
    const { code } = await h.buyCard(h.tenantA, 'usr_race');
    const users = Array.from({ length: 8 }, (_, i) => `usr_racer_${i}`);
    const results = await Promise.all(
      users.map(async (u) =>
        request(h.app)
          .post('/v1/time-cards/activate')
          .set('Authorization', await auth(h.tenantA, u))
          .send({ code }),
      ),
    );
    expect(results.map((r) => r.status).sort()).toEqual([201, 409, 409, 409, 409, 409, 409, 409]);
    const lots = await h.deps.tenants.forTenant(h.tenantA).transaction((tx) => tx.minuteLot.count({ where: { userId: { in: users } } }));
    expect(lots).toBe(1);
  });

  it('needs a token of the tenant: no token is 401', async () => {
    expect((await request(h.app).get('/v1/balance')).status).toBe(401);
    expect((await request(h.app).post('/v1/purchases').send({ packageId: 'pkg_starter' })).status).toBe(401);
    expect(
      (
        await request(h.app)
          .get('/v1/balance')
          .set('Authorization', await auth('no-such-tenant', 'usr_x'))
      ).status,
    ).toBe(404);
  });
});
