import request from 'supertest';
import {
  balanceSchema,
  billingAccountSchema,
  historyPageSchema,
  onboardingLinkSchema,
  packageListSchema,
  packageSchema,
  purchaseListSchema,
  purchaseSchema,
  reportSchema,
  stripeWebhookAckSchema,
  timeCardActivationSchema,
  timeCardListSchema,
  voiceSessionRecordListSchema,
} from '@mindbot/sdk/schemas';
import type { z } from 'zod';
import { startBillingHarness, type BillingHarness } from '../testing/harness.js';

/**
 * Real answers of billing's public routes, parsed with the schemas the gateway publishes in
 * /openapi.json and the SDK parses with (the same objects, from @mindbot/sdk/schemas): a field the
 * service renames, drops or sends with another type fails here. Answers are parsed as received
 * (dates as ISO strings), and each is checked to carry real data, so an empty answer cannot pass.
 */
describe('billing: answers match their documented response schemas', () => {
  let h: BillingHarness;
  let user: string;
  let admin: string;

  beforeAll(async () => {
    h = await startBillingHarness();
    user = `Bearer ${await h.token(h.tenantA, 'usr_schemas', ['member'])}`;
    admin = `Bearer ${await h.token(h.tenantA, 'usr_schemas_admin', ['admin'])}`;
  }, 120_000);

  afterAll(async () => {
    await h.close();
  });

  /** The parse issues of an answer (none when it matches), after checking its status. */
  function issuesOf(res: request.Response, status: number, schema: z.ZodType): unknown[] {
    expect([res.status, res.headers['content-type']]).toEqual([status, expect.stringMatching(/^application\/json/)]);
    const parsed = schema.safeParse(res.body);
    return parsed.success ? [] : parsed.error.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`);
  }

  it("an end user's purchases, time cards, activation, balance, history and sessions", async () => {
    const card = await h.buyCard(h.tenantA, 'usr_schemas', 'pkg_starter');

    const purchases = await request(h.app).get('/v1/purchases').set('Authorization', user);
    expect(issuesOf(purchases, 200, purchaseListSchema)).toEqual([]);
    expect(purchaseListSchema.parse(purchases.body).purchases.map((p) => [p.id, p.status])).toEqual([[card.purchaseId, 'paid']]);

    const cards = await request(h.app).get('/v1/time-cards').set('Authorization', user);
    expect(issuesOf(cards, 200, timeCardListSchema)).toEqual([]);
    expect(timeCardListSchema.parse(cards.body).timeCards).toHaveLength(1);

    const activated = await request(h.app).post('/v1/time-cards/activate').set('Authorization', user).send({ code: card.code });
    expect(issuesOf(activated, 201, timeCardActivationSchema)).toEqual([]);
    expect(timeCardActivationSchema.parse(activated.body).seconds).toBe(3600);

    const balance = await request(h.app).get('/v1/balance').set('Authorization', user);
    expect(issuesOf(balance, 200, balanceSchema)).toEqual([]);
    expect(balanceSchema.parse(balance.body).lots).toHaveLength(1);

    const started = await h.internal(h.tenantA).post('/sessions', { userId: 'usr_schemas', startKey: 'schemas-start-0001' });
    h.clock.advance(30);
    expect((await h.internal(h.tenantA).post(`/sessions/${started.body.sessionId as string}/end`, { elapsedSeconds: 25 })).status).toBe(
      200,
    );

    const sessions = await request(h.app).get('/v1/sessions').set('Authorization', user);
    expect(issuesOf(sessions, 200, voiceSessionRecordListSchema)).toEqual([]);
    expect(voiceSessionRecordListSchema.parse(sessions.body).sessions.map((s) => s.chargedSeconds)).toEqual([25]);

    const history = await request(h.app).get('/v1/history?limit=1').set('Authorization', user);
    expect(issuesOf(history, 200, historyPageSchema)).toEqual([]);
    const page = historyPageSchema.parse(history.body);
    expect(page.entries).toHaveLength(1);
    expect(page.next).toEqual(expect.any(String));

    const packages = await request(h.app).get('/v1/packages').set('Authorization', user);
    expect(issuesOf(packages, 200, packageListSchema)).toEqual([]);
    expect(packageListSchema.parse(packages.body).packages.length).toBeGreaterThan(0);

    const purchase = await request(h.app).post('/v1/purchases').set('Authorization', user).send({ packageId: 'pkg_basic' });
    expect(issuesOf(purchase, 201, purchaseSchema)).toEqual([]);
    expect(purchaseSchema.parse(purchase.body).checkoutUrl).toMatch(/^https:\/\//);
  });

  it("an admin's packages, account state, onboarding link and report; Stripe's webhook acknowledgement", async () => {
    const created = await request(h.app)
      .post('/v1/admin/packages')
      .set('Authorization', admin)
      .send({ name: 'Schema', priceCents: 999, currency: 'usd', baseSeconds: 600 });
    expect(issuesOf(created, 201, packageSchema)).toEqual([]);
    const id = packageSchema.parse(created.body).id;
    const updated = await request(h.app).patch(`/v1/admin/packages/${id}`).set('Authorization', admin).send({ bonusSeconds: 60 });
    expect(issuesOf(updated, 200, packageSchema)).toEqual([]);
    expect(packageSchema.parse(updated.body).totalSeconds).toBe(660);
    const all = await request(h.app).get('/v1/admin/packages').set('Authorization', admin);
    expect(issuesOf(all, 200, packageListSchema)).toEqual([]);

    const account = await request(h.app).get('/v1/admin/billing').set('Authorization', admin);
    expect(issuesOf(account, 200, billingAccountSchema)).toEqual([]);
    expect(billingAccountSchema.parse(account.body).stripeAccountId).toBe(h.accountOf(h.tenantA));

    const link = await request(h.app).post('/v1/admin/billing/onboarding-link').set('Authorization', admin);
    expect(issuesOf(link, 201, onboardingLinkSchema)).toEqual([]);

    await h.grant(h.tenantA, 'usr_schemas_report', 'pkg_basic');
    const today = new Date().toISOString().slice(0, 10);
    const report = await request(h.app).get(`/v1/admin/reports?from=${today}&to=${today}`).set('Authorization', admin);
    expect(issuesOf(report, 200, reportSchema)).toEqual([]);
    expect(reportSchema.parse(report.body).packages.length).toBeGreaterThan(0);

    const ack = await h.postEvent(
      h.event('account.updated', h.accountOf(h.tenantA), { id: h.accountOf(h.tenantA), object: 'account' }, { created: 1 }),
    );
    expect(issuesOf(ack, 200, stripeWebhookAckSchema)).toEqual([]);
  });
});
