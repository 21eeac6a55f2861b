import request from 'supertest';
import { testManifest } from '@mindbot/testing';
import { ConnectAccounts, createStripeClient } from '@mindbot/stripe-connect';
import { openAccountState, startBillingHarness, type BillingHarness } from '../testing/harness.js';

describe('billing administration: packages, onboarding, reports, provisioning', () => {
  let h: BillingHarness;
  beforeAll(async () => {
    h = await startBillingHarness();
  }, 120_000);
  afterAll(async () => {
    await h.close();
  });

  const admin = async (tenant?: string) => `Bearer ${await h.token(tenant ?? h.tenantA, 'usr_admin', ['admin'])}`;
  const member = async () => `Bearer ${await h.token(h.tenantA, 'usr_member', ['member'])}`;

  it('creates, edits and withdraws packages; end users see only active ones', async () => {
    const created = await request(h.app)
      .post('/v1/admin/packages')
      .set('Authorization', await admin())
      .send({ name: 'Weekend', priceCents: 1499, currency: 'eur', baseSeconds: 7200, bonusSeconds: 600, sortOrder: 5 });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({ name: 'Weekend', priceCents: 1499, currency: 'eur', totalSeconds: 7800, active: true });
    const id = created.body.id as string;
    const edited = await request(h.app)
      .patch(`/v1/admin/packages/${id}`)
      .set('Authorization', await admin())
      .send({ priceCents: 1299, bonusSeconds: 1200 });
    expect(edited.body).toMatchObject({ priceCents: 1299, totalSeconds: 8400, sortOrder: 5, currency: 'eur', name: 'Weekend' });
    const seen = await request(h.app)
      .get('/v1/packages')
      .set('Authorization', await member());
    expect((seen.body.packages as { id: string }[]).map((p) => p.id)).toContain(id);
    expect(
      (
        await request(h.app)
          .delete(`/v1/admin/packages/${id}`)
          .set('Authorization', await admin())
      ).status,
    ).toBe(204);
    const after = await request(h.app)
      .get('/v1/packages')
      .set('Authorization', await member());
    expect((after.body.packages as { id: string }[]).map((p) => p.id)).not.toContain(id);
    const all = await request(h.app)
      .get('/v1/admin/packages')
      .set('Authorization', await admin());
    expect(all.body.packages).toEqual(expect.arrayContaining([expect.objectContaining({ id, active: false })]));
    // Each change is in the tenant's audit log with the admin who made it and what it set.
    const audited = await h.deps.tenants
      .forTenant(h.tenantA)
      .transaction((tx) =>
        tx.auditEvent.findMany({ where: { target: id }, orderBy: { seq: 'asc' }, select: { action: true, actorId: true, data: true } }),
      );
    expect(audited).toEqual([
      {
        action: 'package.created',
        actorId: 'usr_admin',
        data: expect.objectContaining({ name: 'Weekend', priceCents: 1499, currency: 'eur' }),
      },
      { action: 'package.updated', actorId: 'usr_admin', data: { priceCents: 1299, bonusSeconds: 1200 } },
      { action: 'package.withdrawn', actorId: 'usr_admin', data: { active: false } },
    ]);
    expect(
      (
        await request(h.app)
          .post('/v1/purchases')
          .set('Authorization', await member())
          .send({ packageId: id })
      ).status,
    ).toBe(404);
  });

  it('refuses negative, absurd or malformed package input with 400 naming the field, changing nothing', async () => {
    const before = await request(h.app)
      .get('/v1/admin/packages')
      .set('Authorization', await admin());
    const bad = [
      { name: 'X', priceCents: -100, currency: 'usd', baseSeconds: 3600 },
      { name: 'X', priceCents: 10 ** 12, currency: 'usd', baseSeconds: 3600 },
      { name: 'X', priceCents: 9.99, currency: 'usd', baseSeconds: 3600 },
      { name: 'X', priceCents: 999, currency: 'btc', baseSeconds: 3600 },
      { name: 'X', priceCents: 999, currency: 'usd', baseSeconds: -5 },
      { name: 'X', priceCents: 999, currency: 'usd', baseSeconds: 3600, bonusSeconds: 10 ** 10 },
      { name: '', priceCents: 999, currency: 'usd', baseSeconds: 3600 },
      { name: 'X', priceCents: 999, currency: 'usd', baseSeconds: 3600, id: 'pkg_mine' },
    ];
    for (const body of bad) {
      const res = await request(h.app)
        .post('/v1/admin/packages')
        .set('Authorization', await admin())
        .send(body);
      expect(res.status).toBe(400);
      expect(res.body.errors.length).toBeGreaterThan(0);
    }
    expect(
      (
        await request(h.app)
          .patch('/v1/admin/packages/pkg_starter')
          .set('Authorization', await admin())
          .send({})
      ).status,
    ).toBe(400);
    expect(
      (
        await request(h.app)
          .patch('/v1/admin/packages/pkg_starter')
          .set('Authorization', await admin())
          .send({ priceCents: -1 })
      ).status,
    ).toBe(400);
    expect(
      (
        await request(h.app)
          .patch('/v1/admin/packages/pkg_nope')
          .set('Authorization', await admin())
          .send({ priceCents: 100 })
      ).status,
    ).toBe(404);
    expect(
      (
        await request(h.app)
          .get('/v1/admin/packages')
          .set('Authorization', await admin())
      ).body,
    ).toEqual(before.body);
  });

  it('keeps admin routes from members (403) and from anonymous callers (401)', async () => {
    for (const [method, path] of [
      ['get', '/v1/admin/packages'],
      ['post', '/v1/admin/packages'],
      ['patch', '/v1/admin/packages/pkg_starter'],
      ['delete', '/v1/admin/packages/pkg_starter'],
      ['get', '/v1/admin/billing'],
      ['post', '/v1/admin/billing/onboarding-link'],
      ['get', '/v1/admin/reports?from=2026-01-01&to=2026-01-02'],
    ] as const) {
      const asMember = request(h.app)[method](path);
      expect((await asMember.set('Authorization', await member()).send({})).status).toBe(403);
      expect((await request(h.app)[method](path).send({})).status).toBe(401);
    }
  });

  it('answers a fresh onboarding link from Stripe for each request, each in the tenant’s audit log with the admin', async () => {
    const linksAudited = () =>
      h.deps.tenants
        .forTenant(h.tenantA)
        .transaction((tx) =>
          tx.auditEvent.findMany({ where: { action: 'billing.onboarding_link_created' }, select: { actorId: true, target: true } }),
        );
    const before = (await linksAudited()).length;
    const res = await request(h.app)
      .post('/v1/admin/billing/onboarding-link')
      .set('Authorization', await admin());
    expect(res.status).toBe(201);
    expect(res.body.url).toMatch(/^https:\/\//);
    expect(res.headers['cache-control']).toBe('no-store');
    const audited = await linksAudited();
    expect(audited).toHaveLength(before + 1);
    expect(audited.at(-1)).toEqual({ actorId: 'usr_admin', target: h.accountOf(h.tenantA) });
  });

  it('reports sessions, minutes, revenue and package popularity by day, as JSON and CSV', async () => {
    await h.grant(h.tenantA, 'usr_report', 'pkg_basic');
    const started = await h.internal(h.tenantA).post('/sessions', { userId: 'usr_report', startKey: 'report-start-0001' });
    h.clock.advance(50);
    await h.internal(h.tenantA).post(`/sessions/${started.body.sessionId as string}/end`, { elapsedSeconds: 42 });
    const today = new Date().toISOString().slice(0, 10);
    const json = await request(h.app)
      .get(`/v1/admin/reports?from=${today}&to=${today}`)
      .set('Authorization', await admin());
    expect(json.status).toBe(200);
    expect(json.body.usage).toEqual([{ date: today, sessions: 1, usageSeconds: 42, purchasesPaid: 1 }]);
    expect(json.body.revenue).toEqual([
      { date: today, currency: 'usd', grossCents: 4499, platformFeeCents: 450, netCents: 4049, refundedCents: 0 },
    ]);
    expect(json.body.packages).toEqual([{ packageId: 'pkg_basic', packageName: 'Basic', currency: 'usd', purchases: 1, grossCents: 4499 }]);
    const csv = await request(h.app)
      .get(`/v1/admin/reports?from=${today}&to=${today}&format=csv&view=revenue`)
      .set('Authorization', await admin());
    expect(csv.headers['content-type']).toMatch(/^text\/csv/);
    expect(csv.text).toBe(`date,currency,grossCents,platformFeeCents,netCents,refundedCents\r\n${today},usd,4499,450,4049,0\r\n`);
    for (const q of [
      'from=2026-02-01&to=2026-01-01',
      'from=2020-01-01&to=2026-01-01',
      'from=yesterday&to=today',
      `from=${today}&to=${today}&format=xml`,
    ]) {
      expect(
        (
          await request(h.app)
            .get(`/v1/admin/reports?${q}`)
            .set('Authorization', await admin())
        ).status,
      ).toBe(400);
    }

    // A partial refund shows as the money returned, not as the whole purchase.
    const sold = await h.deps.tenants
      .forTenant(h.tenantA)
      .transaction((tx) => tx.purchase.findFirstOrThrow({ where: { userId: 'usr_report' } }));
    const refund = {
      id: 'ch_report',
      object: 'charge',
      payment_intent: sold.paymentIntentId,
      amount: 4499,
      refunded: false,
      amount_refunded: 1000,
    };
    expect((await h.postEvent(h.event('charge.refunded', h.accountOf(h.tenantA), refund))).body.outcome).toBe('applied');
    const after = await request(h.app)
      .get(`/v1/admin/reports?from=${today}&to=${today}`)
      .set('Authorization', await admin());
    expect(after.body.revenue).toEqual([
      { date: today, currency: 'usd', grossCents: 4499, platformFeeCents: 450, netCents: 4049, refundedCents: 1000 },
    ]);
  });

  it('never lets ensure overwrite an account.updated that landed between its Stripe read and its write', async () => {
    const openState = openAccountState(h.accountOf(h.tenantA));
    // A Stripe client whose account read answers stripe-mock's fixture (cannot take charges) and,
    // before handing it to ensure, lets the webhook of a newer change (sales open) be applied:
    // the interleaving a real race produces, made deterministic.
    const racing = createStripeClient({ secretKey: 'sk_test_123', apiUrl: h.stripeApiUrl });
    const read = racing.accounts.retrieve.bind(racing.accounts);
    const webhooks: string[] = [];
    Object.assign(racing.accounts, {
      retrieve: async (id: string) => {
        const stale = await read(id);
        expect(stale.charges_enabled).toBe(false);
        const landed = await h.postEvent(
          h.event('account.updated', h.accountOf(h.tenantA), openState, { created: Math.floor(Date.now() / 1000) }),
        );
        webhooks.push(String(landed.body.outcome));
        return stale;
      },
    });
    await h.deps.platform.billingAccount.update({
      where: { tenantSlug: h.tenantA },
      data: { chargesEnabled: false, cardPayments: 'inactive', stateAsOf: new Date(Date.now() - 60_000) },
    });

    const result = await new ConnectAccounts({
      stripe: racing,
      platform: h.deps.platform,
      tenants: h.deps.tenants,
      livemode: false,
    }).ensure(testManifest(h.tenantA));
    expect(webhooks).toEqual(['applied']);
    expect(result.condition).toMatchObject({ status: 'True', reason: 'SalesOpen' });
    const status = await request(h.app)
      .get('/v1/admin/billing')
      .set('Authorization', await admin());
    expect(status.body).toMatchObject({ salesOpen: true });
    expect(
      (
        await request(h.app)
          .post('/v1/purchases')
          .set('Authorization', await member())
          .send({ packageId: 'pkg_starter' })
      ).status,
    ).toBe(201);

    // Without a newer event, ensure does record what Stripe says.
    const plain = new ConnectAccounts({ stripe: h.stripe, platform: h.deps.platform, tenants: h.deps.tenants, livemode: false });
    await h.deps.platform.billingAccount.update({ where: { tenantSlug: h.tenantA }, data: { stateAsOf: new Date(Date.now() - 60_000) } });
    expect((await plain.ensure(testManifest(h.tenantA))).condition.status).toBe('False');
    // Put the tenant back as the rest of this file expects it: sales open.
    const reopened = await h.postEvent(
      h.event('account.updated', h.accountOf(h.tenantA), openState, { created: Math.floor(Date.now() / 1000) }),
    );
    expect(reopened.body.outcome).toBe('applied');
  });

  it('provisions billing idempotently and reports BillingReady from the real account state', async () => {
    const provisioner = new ConnectAccounts({ stripe: h.stripe, platform: h.deps.platform, tenants: h.deps.tenants, livemode: false });
    const { testManifest } = await import('@mindbot/testing');
    const manifest = testManifest(h.tenantA);
    // Sales were opened by an event moments ago; make Stripe's read below the newer view.
    await h.deps.platform.billingAccount.update({ where: { tenantSlug: h.tenantA }, data: { stateAsOf: new Date(Date.now() - 60_000) } });
    const first = await provisioner.ensure(manifest);
    const second = await provisioner.ensure(manifest);
    expect(first.created).toBe(false); // the harness provisioned it already
    expect(second.stripeAccountId).toBe(first.stripeAccountId);
    expect(await h.deps.platform.billingAccount.count({ where: { tenantSlug: h.tenantA } })).toBe(1);
    // stripe-mock's account fixture cannot take charges yet: the condition says so, with the reason.
    expect(second.condition).toMatchObject({ type: 'BillingReady', status: 'False' });
    expect(second.condition.message.length).toBeGreaterThan(10);
    await expect(provisioner.ensure(testManifest('not-registered-here'))).rejects.toThrow(/not registered/);
    await provisioner.close(h.tenantA);
    const status = await request(h.app)
      .get('/v1/admin/billing')
      .set('Authorization', await admin());
    expect(status.body).toMatchObject({ salesOpen: false });
    expect(
      (
        await request(h.app)
          .post('/v1/purchases')
          .set('Authorization', await member())
          .send({ packageId: 'pkg_starter' })
      ).status,
    ).toBe(409);
  });
  it('gives a tenant re-created under the same slug a new, open account instead of the closed one', async () => {
    const { testManifest } = await import('@mindbot/testing');
    const { MigrationRunner } = await import('@mindbot/db');
    const { TenantProvisioner } = await import('@mindbot/provisioning');
    const billing = new ConnectAccounts({ stripe: h.stripe, platform: h.deps.platform, tenants: h.deps.tenants, livemode: false });
    const tenants = new TenantProvisioner({
      pool: h.deps.pool,
      platform: h.deps.platform,
      migrations: await MigrationRunner.load(h.deps.pool),
      region: 'eu-west',
      actor: 'test',
    });
    const manifest = testManifest(h.tenantA);
    await billing.close(h.tenantA);
    expect((await billing.current(h.tenantA))?.condition.reason).toBe('AccountClosed');

    const before = await h.deps.platform.tenant.findUniqueOrThrow({ where: { slug: h.tenantA } });
    await tenants.deprovision(h.tenantA, { dropData: false });
    await tenants.provision(manifest);
    const after = await h.deps.platform.tenant.findUniqueOrThrow({ where: { slug: h.tenantA } });
    expect(after.id).not.toBe(before.id);

    const again = await billing.ensure(manifest);
    expect(again.created).toBe(true);
    expect(again.condition.reason).not.toBe('AccountClosed');
    expect(await h.deps.platform.billingAccount.findUnique({ where: { tenantSlug: h.tenantA } })).toMatchObject({ closedAt: null });
    expect(await billing.ensure(manifest)).toMatchObject({ created: false, stripeAccountId: again.stripeAccountId });
  });

  it("prices the default packages in the tenant's currency (whole yen for JPY), leaving an admin's price and a tenant that has sold alone", async () => {
    const provisioner = new ConnectAccounts({ stripe: h.stripe, platform: h.deps.platform, tenants: h.deps.tenants, livemode: false });
    const { testManifest } = await import('@mindbot/testing');
    const selling = (slug: string, currency: 'usd' | 'eur' | 'jpy') => {
      const manifest = testManifest(slug);
      return { ...manifest, spec: { ...manifest.spec, billing: { ...manifest.spec.billing, currency } } };
    };
    const shelf = async (tenant: string) => {
      const res = await request(h.app)
        .get('/v1/packages')
        .set('Authorization', `Bearer ${await h.token(tenant, 'usr_shopper', ['member'])}`);
      return (res.body.packages as { id: string; currency: string; priceCents: number }[]).map(
        (p) => `${p.id} ${p.priceCents} ${p.currency}`,
      );
    };
    const priced = await request(h.app)
      .patch('/v1/admin/packages/pkg_enterprise')
      .set('Authorization', await admin(h.tenantB))
      .send({ priceCents: 24999 });
    expect(priced.status).toBe(200);

    await provisioner.ensure(selling(h.tenantB, 'jpy'));
    expect(await shelf(h.tenantB)).toEqual([
      'pkg_starter 1500 jpy',
      'pkg_basic 6800 jpy',
      'pkg_premium 12000 jpy',
      'pkg_pro 27000 jpy',
      'pkg_enterprise 24999 usd',
    ]);
    await provisioner.ensure(selling(h.tenantB, 'eur'));
    expect(await shelf(h.tenantB)).toEqual([
      'pkg_starter 999 eur',
      'pkg_basic 4499 eur',
      'pkg_premium 7999 eur',
      'pkg_pro 17999 eur',
      'pkg_enterprise 24999 usd',
    ]);
    await provisioner.ensure(selling(h.tenantB, 'usd'));
    expect(await shelf(h.tenantB)).toEqual([
      'pkg_starter 999 usd',
      'pkg_basic 4499 usd',
      'pkg_premium 7999 usd',
      'pkg_pro 17999 usd',
      'pkg_enterprise 24999 usd',
    ]);

    // Tenant A has sold (the report above): its prices are what its buyers were charged, so they stay.
    const before = await shelf(h.tenantA);
    expect(before).toContain('pkg_basic 4499 usd');
    await provisioner.ensure(selling(h.tenantA, 'jpy'));
    expect(await shelf(h.tenantA)).toEqual(before);
  });
});
