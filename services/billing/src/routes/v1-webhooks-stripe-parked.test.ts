import request from 'supertest';
import { MigrationRunner } from '@mindbot/db';
import { TenantProvisioner } from '@mindbot/provisioning';
import { testManifest, uniqueSlug } from '@mindbot/testing';
import { ConnectAccounts, createStripeClient, type Stripe } from '@mindbot/stripe-connect';
import { applyParkedEvents } from '../domain/parked-events.js';
import { startSweeper } from '../domain/sweeper.js';
import { openAccountState, startBillingHarness, type BillingHarness } from '../testing/harness.js';

// Connect events of an account billing has not recorded: parked, applied once `ensure` records
// the account, purged after the retention (docs/adr/0024-parked-webhook-events.md).

interface ParkedRow {
  event_id: string;
  applied_at: Date | null;
}

describe('Stripe webhooks for an account not recorded yet', () => {
  let h: BillingHarness;
  let tenants: TenantProvisioner;
  beforeAll(async () => {
    h = await startBillingHarness();
    tenants = new TenantProvisioner({
      pool: h.deps.pool,
      platform: h.deps.platform,
      migrations: await MigrationRunner.load(h.deps.pool),
      region: 'eu-west',
      actor: 'test',
    });
  }, 120_000);
  afterAll(async () => {
    await h.close();
  });

  const nowSeconds = () => Math.floor(Date.now() / 1000);

  /**
   * A registered tenant whose Connect account `ensure` has not created yet. stripe-mock answers
   * the same fixture id for every account it creates; Stripe gives each its own, so the create's
   * answer (otherwise stripe-mock's, request checked against Stripe's spec) carries the tenant's.
   */
  async function newTenant(drain: 'billing' | 'own' = 'billing') {
    const slug = uniqueSlug('park');
    const manifest = testManifest(slug);
    await tenants.provision(manifest);
    const accountId = `acct_${slug.replaceAll('-', '')}`;
    const stripe = createStripeClient({ secretKey: 'sk_test_123', apiUrl: h.stripeApiUrl });
    const create = stripe.accounts.create.bind(stripe.accounts);
    Object.assign(stripe.accounts, {
      create: async (params: Stripe.AccountCreateParams, options?: Stripe.RequestOptions) => ({
        ...(await create(params, options)),
        id: accountId,
      }),
    });
    const ctx = { platform: h.deps.platform, tenants: h.deps.tenants, stripe, logger: h.log.logger, livemode: false };
    // Billing applies all of them, its tenants' events too, through its own webhook path; the
    // operator and the CLI pass no drain, so ensure applies the account's own events only.
    const billing = new ConnectAccounts(
      drain === 'billing' ? { ...ctx, applyParkedEvents: (id) => applyParkedEvents(ctx, id, new Date()) } : ctx,
    );
    return { slug, accountId, ctx, ensure: () => billing.ensure(manifest) };
  }

  const parkedOf = (accountId: string) =>
    h.deps.platform.$queryRaw<
      ParkedRow[]
    >`SELECT event_id, applied_at FROM platform.parked_webhook_events WHERE stripe_account_id = ${accountId} ORDER BY event_id`;
  const adminView = async (slug: string) =>
    (
      await request(h.app)
        .get('/v1/admin/billing')
        .set('Authorization', `Bearer ${await h.token(slug, 'usr_admin', ['admin'])}`)
    ).body as { salesOpen: boolean; stripeAccountId: string | null };
  const metric = async (name: string): Promise<number> => {
    const text = (await request(h.app).get('/metrics')).text;
    return text
      .split('\n')
      .filter((line) => line.startsWith(name) && !line.startsWith('#'))
      .reduce((sum, line) => sum + Number(line.split(' ').at(-1)), 0);
  };
  const disabledState = (id: string) => ({
    id,
    object: 'account',
    charges_enabled: false,
    payouts_enabled: false,
    details_submitted: true,
    capabilities: { card_payments: 'inactive' },
    requirements: { disabled_reason: 'requirements.past_due', currently_due: ['external_account'] },
  });

  it('applies an account.updated that arrived before ensure recorded the account: sales are open after ensure', async () => {
    const t = await newTenant();
    const parkedBefore = await metric('billing_webhook_events_parked_total');
    const event = h.event('account.updated', t.accountId, openAccountState(t.accountId), { created: nowSeconds() + 30 });

    const res = await h.postEvent(event);
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ received: true, outcome: 'ignored', reason: 'parked' });
    expect(h.log.lines).toContainEqual(
      expect.objectContaining({
        level: 'info',
        msg: 'stripe event parked: its account is not recorded here',
        stripeAccountId: t.accountId,
        eventId: event.id,
      }),
    );
    expect(await metric('billing_webhook_events_parked_total')).toBe(parkedBefore + 1);
    expect(await metric('billing_webhook_events_parked_unapplied')).toBeGreaterThanOrEqual(1);
    expect((await adminView(t.slug)).stripeAccountId).toBeNull();

    const result = await t.ensure();
    expect(result).toMatchObject({ stripeAccountId: t.accountId, created: true, condition: { status: 'True', reason: 'SalesOpen' } });
    expect(await adminView(t.slug)).toMatchObject({ stripeAccountId: t.accountId, salesOpen: true });
    expect((await parkedOf(t.accountId)).map((r) => r.applied_at)).toEqual([expect.any(Date)]);
    // Applied events no longer count as waiting.
    const waiting = await metric('billing_webhook_events_parked_unapplied');
    await t.ensure();
    expect(await metric('billing_webhook_events_parked_unapplied')).toBe(waiting);
  });

  it('parks the same event delivered twice once, counting it once', async () => {
    const t = await newTenant();
    const parkedBefore = await metric('billing_webhook_events_parked_total');
    const event = h.event('account.updated', t.accountId, openAccountState(t.accountId), { created: nowSeconds() + 30 });
    expect((await h.postEvent(event)).body).toMatchObject({ outcome: 'ignored', reason: 'parked' });
    const again = await h.postEvent(event);
    expect(again.status).toBe(200);
    expect(again.body).toMatchObject({ outcome: 'ignored', reason: 'already_parked' });
    expect(await parkedOf(t.accountId)).toEqual([{ event_id: event.id, applied_at: null }]);
    expect(await metric('billing_webhook_events_parked_total')).toBe(parkedBefore + 1);

    // Delivered again once the account is recorded, it changes nothing: ensure applied it already.
    expect((await t.ensure()).condition.status).toBe('True');
    const late = await h.postEvent(event);
    expect(late.body).toMatchObject({ outcome: 'unchanged', reason: 'same_state', tenant: t.slug });
    expect(await adminView(t.slug)).toMatchObject({ salesOpen: true });
  });

  it('never lets a parked event older than the state ensure read roll that state back', async () => {
    const t = await newTenant();
    // Open, but from an hour before ensure asks Stripe (whose fixture account cannot take charges).
    expect(
      (await h.postEvent(h.event('account.updated', t.accountId, openAccountState(t.accountId), { created: nowSeconds() - 3600 }))).body
        .reason,
    ).toBe('parked');
    const result = await t.ensure();
    expect(result.condition).toMatchObject({ status: 'False' });
    expect(await adminView(t.slug)).toMatchObject({ salesOpen: false });
    expect((await parkedOf(t.accountId)).map((r) => r.applied_at)).toEqual([expect.any(Date)]);
  });

  it('ends in the newest parked state whatever order the events arrived in', async () => {
    const t = await newTenant();
    const created = nowSeconds();
    await h.postEvent(h.event('account.updated', t.accountId, disabledState(t.accountId), { created: created + 60 }));
    await h.postEvent(h.event('account.updated', t.accountId, openAccountState(t.accountId), { created: created + 30 }));
    const result = await t.ensure();
    expect(result.condition).toMatchObject({ status: 'False', reason: 'ChargesDisabled' });
    const row = await h.deps.platform.billingAccount.findUniqueOrThrow({ where: { tenantSlug: t.slug } });
    expect(row).toMatchObject({
      disabledReason: 'requirements.past_due',
      requirementsDue: ['external_account'],
      stateAsOf: new Date((created + 60) * 1000),
    });
  });

  it('applies a tenant event parked before the account was recorded through the live path, once', async () => {
    const t = await newTenant();
    // A payment failure for a purchase this tenant does not have: the live path answers unknown_purchase.
    const failed = h.event('payment_intent.payment_failed', t.accountId, {
      id: 'pi_parked_1',
      object: 'payment_intent',
      metadata: { mindbot_purchase: 'pur_none' },
    });
    expect((await h.postEvent(failed)).body.reason).toBe('parked');
    await t.ensure();
    expect((await parkedOf(t.accountId)).map((r) => r.applied_at)).toEqual([expect.any(Date)]);
    // Recorded in the tenant's processed events by the drain, so a redelivery changes nothing.
    expect((await h.postEvent(failed)).body).toMatchObject({ outcome: 'duplicate', tenant: t.slug });
  });

  it("applies the account's own parked events when ensure runs without billing's drain (the operator, the CLI), and leaves a tenant event to billing", async () => {
    const t = await newTenant('own');
    const opened = h.event('account.updated', t.accountId, openAccountState(t.accountId), { created: nowSeconds() + 30 });
    const failed = h.event('payment_intent.payment_failed', t.accountId, {
      id: 'pi_parked_2',
      object: 'payment_intent',
      metadata: { mindbot_purchase: 'pur_none' },
    });
    expect((await h.postEvent(opened)).body.reason).toBe('parked');
    expect((await h.postEvent(failed)).body.reason).toBe('parked');

    const result = await t.ensure();
    expect(result.condition).toMatchObject({ status: 'True', reason: 'SalesOpen' });
    const appliedOf = async () => Object.fromEntries((await parkedOf(t.accountId)).map((r) => [r.event_id, r.applied_at !== null]));
    expect(await appliedOf()).toEqual({ [String(opened.id)]: true, [String(failed.id)]: false });

    // Billing's drain (the sweeper's, or the endpoint's on a redelivery) applies the rest through the live path.
    await applyParkedEvents(t.ctx, t.accountId, new Date());
    expect(await appliedOf()).toEqual({ [String(opened.id)]: true, [String(failed.id)]: true });
    expect((await h.postEvent(failed)).body).toMatchObject({ outcome: 'duplicate', tenant: t.slug });
  });

  it('changes nothing for recorded accounts: handled at once, never parked', async () => {
    const account = h.accountOf(h.tenantA);
    const parkedBefore = await metric('billing_webhook_events_parked_total');
    // The account is open already: the event is handled live and says it changed nothing.
    const res = await h.postEvent(h.event('account.updated', account, openAccountState(account), { created: nowSeconds() + 120 }));
    expect(res.body).toEqual({ received: true, outcome: 'unchanged', reason: 'same_state', tenant: h.tenantA });
    expect(await parkedOf(account)).toEqual([]);
    expect(await metric('billing_webhook_events_parked_total')).toBe(parkedBefore);
  });

  it("keeps an event of an account never recorded here (another region's) parked, and the sweeper purges it after the retention", async () => {
    const foreign = `acct_otherregion${Date.now()}`;
    const event = h.event('account.updated', foreign, openAccountState(foreign));
    expect((await h.postEvent(event)).body.reason).toBe('parked');
    // An account recorded by other means than ensure (here: by hand) has its parked events applied by the sweeper.
    const t = await newTenant();
    await h.postEvent(h.event('account.updated', t.accountId, openAccountState(t.accountId), { created: nowSeconds() + 30 }));
    await h.deps.platform.billingAccount.create({
      data: { tenantSlug: t.slug, stripeAccountId: t.accountId, livemode: false, stateAsOf: new Date(0) },
    });

    const stop = startSweeper({
      platform: h.deps.platform,
      tenants: h.deps.tenants,
      logger: h.log.logger,
      metering: h.billing.metering,
      stripe: h.stripe,
      livemode: false,
      parkedEventRetentionMs: h.billing.parkedEventRetentionMs,
      intervalMs: 20,
      clock: h.clock.now,
    });
    try {
      await waitFor(async () => (await adminView(t.slug)).salesOpen);
      expect(await parkedOf(foreign)).toEqual([{ event_id: event.id, applied_at: null }]);

      // A day short of the retention it stays; past it, it goes.
      h.clock.advance(6 * 86_400);
      await new Promise((resolve) => setTimeout(resolve, 200));
      expect(await parkedOf(foreign)).toHaveLength(1);
      h.clock.advance(2 * 86_400);
      await waitFor(async () => (await parkedOf(foreign)).length === 0);
      expect(h.log.lines).toContainEqual(
        expect.objectContaining({ msg: 'sweeper applied and purged parked stripe events', purged: expect.any(Number) }),
      );
    } finally {
      await stop();
    }
  });
});

async function waitFor(condition: () => Promise<boolean>, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`condition not met within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}
