import { randomBytes } from 'node:crypto';
import type { Express } from 'express';
import request from 'supertest';
import { createTokenVerifier } from '@mindbot/auth';
import { MigrationRunner } from '@mindbot/db';
import { TenantProvisioner } from '@mindbot/provisioning';
import type { TenantManifest } from '@mindbot/tenancy';
import { buildServiceDeps, type ServiceDeps } from '@mindbot/service-runtime';
import {
  captureLogger,
  createTestDatabase,
  createTestTokenIssuer,
  startStripeMock,
  testManifest,
  testRedisUrl,
  uniqueSlug,
  type CapturedLogger,
  type StripeMock,
  type TestDatabase,
  type TestTokenIssuer,
} from '@mindbot/testing';
import { createApp } from '../app.js';
import { billingPolicyOf, type BillingDeps } from '../deps.js';
import { defaultBillingPolicyConfig } from '../config.js';
import { ConnectAccounts, createStripeClient, type Stripe } from '@mindbot/stripe-connect';

/** A connected account as Stripe describes it once onboarding is done: it can take card payments. */
export function openAccountState(id: string) {
  return {
    id,
    object: 'account',
    charges_enabled: true,
    payouts_enabled: true,
    details_submitted: true,
    capabilities: { card_payments: 'active', transfers: 'active' },
    requirements: { disabled_reason: null, currently_due: [] },
  };
}

export const WEBHOOK_SECRET = 'whsec_test_billing_harness_secret';
export const SERVICE_TOKEN = 'svc_test_0123456789abcdef0123456789abcdef';

/** A clock the tests move: sessions measure their wall-clock duration with it. */
export interface TestClock {
  now: () => Date;
  advance: (seconds: number) => void;
}

export interface BillingHarness {
  app: Express;
  deps: ServiceDeps;
  billing: BillingDeps;
  stripe: Stripe;
  /** stripe-mock's URL, for tests that build a Stripe client of their own. */
  stripeApiUrl: string;
  /** The test database (the jobs component connects to it on its own). */
  databaseUrl: string;
  issuer: TestTokenIssuer;
  clock: TestClock;
  log: CapturedLogger;
  /** Two provisioned tenants with open sales. */
  tenantA: string;
  tenantB: string;
  accountOf(slug: string): string;
  /** Provisions one more tenant (a unique slug from `base`) with open sales, as tenantA and tenantB are. */
  addTenant(base: string, overrides?: Parameters<typeof testManifest>[1]): Promise<string>;
  token(tenant: string, userId: string, roles?: string[]): Promise<string>;
  /** Signs a Stripe event as Stripe would (v1 scheme) and posts it to the webhook endpoint. */
  postEvent(event: Record<string, unknown>, options?: { timestamp?: number; secret?: string }): Promise<request.Response>;
  /** An event object with Stripe's envelope. */
  event(
    type: string,
    account: string,
    object: Record<string, unknown>,
    options?: { id?: string; created?: number },
  ): Record<string, unknown>;
  /** Purchase through the API, then the paid checkout.session.completed webhook: answers the card's activation code. */
  buyCard(
    tenant: string,
    userId: string,
    packageId?: string,
  ): Promise<{ purchaseId: string; code: string; checkoutSessionId: string; paymentIntentId: string }>;
  /** buyCard + activation: the user now has the package's seconds. */
  grant(tenant: string, userId: string, packageId?: string): Promise<void>;
  /** A package of exactly `seconds` (price 500 cents) created by an admin. */
  packageOf(tenant: string, seconds: number): Promise<string>;
  internal(tenant: string): { post(path: string, body: object): Promise<request.Response> };
  /** Ledger and lots agree: every lot's remaining = granted + its entries, and none is negative. */
  ledgerProblems(tenant: string): Promise<string[]>;
  close(): Promise<void>;
}

let eventCounter = 0;

export interface BillingHarnessOptions {
  chunkSeconds?: number;
  warnSeconds?: number;
  /** The tenants' plan limit of sessions at once; high by default, so suites about minutes never meet it. */
  concurrentSessions?: number;
  activationMaxFailures?: number;
  activationMaxFailuresPerIp?: number;
  /** express "trust proxy" of the app under test, for tests that act as the gateway setting X-Forwarded-For. */
  trustProxy?: boolean;
}

export async function startBillingHarness(options: BillingHarnessOptions = {}): Promise<BillingHarness> {
  const database: TestDatabase = await createTestDatabase();
  const stripeMock: StripeMock = await startStripeMock();
  const log = captureLogger('billing');
  const deps = buildServiceDeps({
    service: 'billing',
    region: 'eu-west',
    logger: log.logger,
    databaseUrl: database.url,
    redisUrl: testRedisUrl(),
    poolMax: 12,
    trustProxy: options.trustProxy ?? false,
  });
  const migrations = await MigrationRunner.load(deps.pool);
  await migrations.migrate({ kind: 'platform', schema: 'platform' });
  const provisioner = new TenantProvisioner({ pool: deps.pool, platform: deps.platform, migrations, region: 'eu-west', actor: 'test' });
  const stripe = createStripeClient({ secretKey: 'sk_test_123', apiUrl: stripeMock.url });
  const connectAccounts = new ConnectAccounts({ stripe, platform: deps.platform, tenants: deps.tenants, livemode: false });
  const tenantA = uniqueSlug('bill-a');
  const tenantB = uniqueSlug('bill-b');
  const accounts = new Map<string, string>();
  const provisionWithAccount = async (manifest: TenantManifest): Promise<void> => {
    manifest.spec.plan.concurrentSessions = options.concurrentSessions ?? 100;
    await provisioner.provision(manifest);
    await connectAccounts.ensure(manifest);
    // stripe-mock answers the same fixture account for every create; give each tenant its own id, as Stripe would.
    const id = `acct_${manifest.metadata.name.replaceAll('-', '')}`;
    await deps.platform.billingAccount.update({ where: { tenantSlug: manifest.metadata.name }, data: { stripeAccountId: id } });
    accounts.set(manifest.metadata.name, id);
  };
  for (const slug of [tenantA, tenantB]) await provisionWithAccount(testManifest(slug));

  let current = Date.now();
  const clock: TestClock = {
    now: () => new Date(current),
    advance: (seconds) => {
      current += seconds * 1000;
    },
  };
  const issuer = await createTestTokenIssuer();
  const policy = billingPolicyOf(defaultBillingPolicyConfig());
  const billing: BillingDeps = {
    stripe,
    webhookSecret: WEBHOOK_SECRET,
    livemode: false,
    verifier: createTokenVerifier({
      jwks: issuer.jwks,
      issuer: issuer.issuer,
      audience: issuer.audience,
      revokedSessions: deps.revokedSessions,
    }),
    serviceTokens: [SERVICE_TOKEN],
    appUrl: 'https://app.mindbot.test',
    baseDomain: 'mindbot.test',
    ...policy,
    metering: {
      ...policy.metering,
      chunkSeconds: options.chunkSeconds ?? policy.metering.chunkSeconds,
      warnSeconds: options.warnSeconds ?? policy.metering.warnSeconds,
    },
    activationMaxFailures: options.activationMaxFailures ?? policy.activationMaxFailures,
    activationMaxFailuresPerIp: options.activationMaxFailuresPerIp ?? policy.activationMaxFailuresPerIp,
    clock: clock.now,
  };
  const app = createApp(deps, billing);

  const accountOf = (slug: string): string => {
    const id = accounts.get(slug);
    if (!id) throw new Error(`no account for ${slug}`);
    return id;
  };
  const event: BillingHarness['event'] = (type, account, object, o = {}) => ({
    id: o.id ?? `evt_test_${Date.now()}_${++eventCounter}_${randomBytes(3).toString('hex')}`,
    object: 'event',
    api_version: '2026-10-28.endive',
    created: o.created ?? Math.floor(Date.now() / 1000),
    livemode: false,
    pending_webhooks: 1,
    request: { id: null, idempotency_key: null },
    type,
    account,
    data: { object },
  });
  const postEvent: BillingHarness['postEvent'] = (payload, o = {}) => {
    const body = JSON.stringify(payload);
    const signature = stripe.webhooks.generateTestHeaderString({
      payload: body,
      secret: o.secret ?? WEBHOOK_SECRET,
      ...(o.timestamp === undefined ? {} : { timestamp: o.timestamp }),
    });
    return request(app).post('/v1/webhooks/stripe').set('Content-Type', 'application/json').set('Stripe-Signature', signature).send(body);
  };
  const token: BillingHarness['token'] = (tenant, userId, roles = ['member']) => issuer.sign({ tenant, userId, roles });

  // Open sales: the account can take card payments (as Stripe would say after onboarding).
  const openSales = async (slug: string): Promise<void> => {
    const res = await postEvent(event('account.updated', accountOf(slug), openAccountState(accountOf(slug))));
    if (res.status !== 200 || (res.body as { outcome?: string }).outcome !== 'applied')
      throw new Error(`could not open sales for ${slug}: ${res.status} ${JSON.stringify(res.body)}`);
  };
  for (const slug of [tenantA, tenantB]) await openSales(slug);
  const addTenant: BillingHarness['addTenant'] = async (base, overrides = {}) => {
    const slug = uniqueSlug(base);
    await provisionWithAccount(testManifest(slug, overrides));
    await openSales(slug);
    return slug;
  };

  const buyCard: BillingHarness['buyCard'] = async (tenant, userId, packageId = 'pkg_starter') => {
    const bearer = await token(tenant, userId);
    const purchase = await request(app).post('/v1/purchases').set('Authorization', `Bearer ${bearer}`).send({ packageId });
    if (purchase.status !== 201) throw new Error(`purchase failed: ${purchase.status} ${JSON.stringify(purchase.body)}`);
    const purchaseId = (purchase.body as { id: string }).id;
    const row = await deps.tenants.forTenant(tenant).transaction((tx) => tx.purchase.findUniqueOrThrow({ where: { id: purchaseId } }));
    const checkoutSessionId = row.checkoutSessionId ?? '';
    const paymentIntentId = `pi_${randomBytes(8).toString('hex')}`;
    const paid = await postEvent(
      event('checkout.session.completed', accountOf(tenant), {
        id: checkoutSessionId,
        object: 'checkout.session',
        client_reference_id: purchaseId,
        metadata: { mindbot_purchase: purchaseId },
        amount_total: row.amountCents,
        currency: row.currency,
        payment_status: 'paid',
        status: 'complete',
        payment_intent: paymentIntentId,
      }),
    );
    if (paid.status !== 200) throw new Error(`fulfilment failed: ${paid.status} ${JSON.stringify(paid.body)}`);
    const cards = await request(app).get('/v1/time-cards').set('Authorization', `Bearer ${bearer}`);
    const card = (cards.body as { timeCards: { purchaseId: string; activationCode: string }[] }).timeCards.find(
      (c) => c.purchaseId === purchaseId,
    );
    if (!card) throw new Error('no card issued');
    return { purchaseId, code: card.activationCode, checkoutSessionId, paymentIntentId };
  };

  const grant: BillingHarness['grant'] = async (tenant, userId, packageId) => {
    const { code } = await buyCard(tenant, userId, packageId);
    const res = await request(app)
      .post('/v1/time-cards/activate')
      .set('Authorization', `Bearer ${await token(tenant, userId)}`)
      .send({ code });
    if (res.status !== 201) throw new Error(`activation failed: ${res.status} ${JSON.stringify(res.body)}`);
  };

  const packageOf: BillingHarness['packageOf'] = async (tenant, seconds) => {
    const res = await request(app)
      .post('/v1/admin/packages')
      .set('Authorization', `Bearer ${await token(tenant, 'usr_admin', ['admin'])}`)
      .send({ name: `Test ${seconds}s`, priceCents: 500, currency: 'usd', baseSeconds: Math.max(60, seconds), bonusSeconds: 0 });
    if (res.status !== 201) throw new Error(`package creation failed: ${res.status} ${JSON.stringify(res.body)}`);
    const id = (res.body as { id: string }).id;
    if (seconds < 60) {
      // Below the admin minimum: tests of tiny balances set it directly.
      await deps.tenants.forTenant(tenant).transaction((tx) => tx.package.update({ where: { id }, data: { baseSeconds: seconds } }));
    }
    return id;
  };

  const internal: BillingHarness['internal'] = (tenant) => ({
    post: (path, body) =>
      request(app).post(`/internal/v1/tenants/${tenant}${path}`).set('Authorization', `Bearer ${SERVICE_TOKEN}`).send(body),
  });

  const ledgerProblems: BillingHarness['ledgerProblems'] = (tenant) =>
    deps.tenants.forTenant(tenant).transaction(async (tx) => {
      const rows = await tx.$queryRaw<{ problem: string }[]>`
        SELECT 'lot ' || l.id || ': remaining ' || l.remaining_seconds || ' but ledger says ' || COALESCE(sum(e.seconds), 0) AS problem
        FROM minute_lots l LEFT JOIN ledger_entries e ON e.lot_id = l.id
        GROUP BY l.id, l.remaining_seconds
        HAVING l.remaining_seconds <> COALESCE(sum(e.seconds), 0) OR l.remaining_seconds < 0
        UNION ALL
        SELECT 'session ' || s.id || ': charged ' || s.charged_seconds || ' (pending ' || s.pending_seconds || ') but ledger says ' || COALESCE(-sum(e.seconds), 0)
        FROM voice_sessions s LEFT JOIN ledger_entries e ON e.session_id = s.id
        GROUP BY s.id, s.charged_seconds, s.pending_seconds
        HAVING s.charged_seconds - s.pending_seconds <> COALESCE(-sum(e.seconds), 0)`;
      return rows.map((r) => r.problem);
    });

  return {
    app,
    deps,
    billing,
    stripe,
    stripeApiUrl: stripeMock.url,
    databaseUrl: database.url,
    issuer,
    clock,
    log,
    tenantA,
    tenantB,
    accountOf,
    addTenant,
    token,
    postEvent,
    event,
    buyCard,
    grant,
    packageOf,
    internal,
    ledgerProblems,
    async close() {
      await deps.close();
      await stripeMock.stop();
      await database.dispose();
    },
  };
}
