import { startBillingHarness, type BillingHarness } from '../testing/harness.js';

// Billing tells the tenant's webhook endpoints what happened, in the transaction that made it
// happen: a paid purchase, an activated card, an ended session (each once, whatever repeats).
describe('billing’s webhook events', () => {
  let h: BillingHarness;
  let tenant: string;
  let quiet: string;

  beforeAll(async () => {
    h = await startBillingHarness();
    tenant = await h.addTenant('hooked');
    quiet = await h.addTenant('unhooked');
    await h.deps.tenants.forTenant(tenant).transaction((tx) =>
      tx.webhookEndpoint.create({
        data: {
          id: 'whe_test_endpoint',
          url: 'https://hooks.example/mindbot',
          events: ['purchase.completed', 'time_card.activated', 'session.ended'],
          secret: 'whsec_unused_here',
          createdBy: 'usr_admin',
        },
      }),
    );
  }, 120_000);

  afterAll(async () => {
    await h.close();
  });

  const events = (slug: string) =>
    h.deps.tenants
      .forTenant(slug)
      .transaction((tx) => tx.webhookEvent.findMany({ orderBy: { createdAt: 'asc' }, select: { type: true, payload: true } }));

  it('records a paid purchase, its activated card and an ended session once each, for a tenant with an endpoint only', async () => {
    const bought = await h.buyCard(tenant, 'usr_hooked', 'pkg_basic');
    await h.grant(tenant, 'usr_other', 'pkg_basic');
    const started = await h.internal(tenant).post('/sessions', { userId: 'usr_other', startKey: 'hooked-start-0001' });
    expect(started.status).toBe(201);
    const sessionId = started.body.sessionId as string;
    h.clock.advance(30);
    expect((await h.internal(tenant).post(`/sessions/${sessionId}/end`, { elapsedSeconds: 25 })).status).toBe(200);
    // Ending again answers the same final state and tells nobody again.
    expect((await h.internal(tenant).post(`/sessions/${sessionId}/end`, { elapsedSeconds: 25 })).status).toBe(200);

    const recorded = await events(tenant);
    expect(recorded.map((e) => e.type)).toEqual(['purchase.completed', 'purchase.completed', 'time_card.activated', 'session.ended']);
    // The body each endpoint gets: { id, type, timestamp, data }.
    expect(recorded[0]?.payload).toMatchObject({
      type: 'purchase.completed',
      data: { purchaseId: bought.purchaseId, userId: 'usr_hooked', packageId: 'pkg_basic', currency: 'usd' },
    });
    expect(recorded[3]?.payload).toMatchObject({ type: 'session.ended', data: { sessionId, userId: 'usr_other', billedSeconds: 25 } });

    // The same flow in a tenant without endpoints records nothing.
    await h.grant(quiet, 'usr_quiet', 'pkg_basic');
    expect(await events(quiet)).toEqual([]);
  });
});
