import { createServer, request as httpRequest, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { BillingProvisioner, createStripeClient } from '@mindbot/billing/provisioning';
import { TenantClients } from '@mindbot/db';
import { captureLogger, createTestDatabase, freePort, startStripeMock, uniqueSlug, type StripeMock, type TestDatabase } from '@mindbot/testing';
import type { Registry } from 'prom-client';
import { tenantCrd } from '../../api/v1alpha1/crd.js';
import { TENANTS_PATH } from '../../api/v1alpha1/tenant-types.js';
import type { Operator } from '../../operator.js';
import { startTestApiServer, type TestApiServer } from '../../testing/test-api-server.js';
import {
  OPERATOR_USER,
  SYSTEM_NAMESPACE,
  conditionOf,
  livekitSecret,
  platformDatabase,
  startOperator,
  tenantManifest,
  tenantsOf,
  waitUntil,
  type PlatformDatabase,
} from '../../testing/operator-harness.js';
import type { BillingStep } from './billing.js';

const SLOW = 60_000;

let api: TestApiServer;
let database: TestDatabase;
let db: PlatformDatabase;
let stripeMock: StripeMock;
/** A counting pass-through in front of stripe-mock: how many requests reached "Stripe". */
let stripe: { url: string; requests: number; server: Server };
const cleanups: (() => Promise<void>)[] = [];
const running: Operator[] = [];
const log = captureLogger('operator');

const createTenant = (slug: string) => tenantsOf(api).create(tenantManifest(slug));
const getTenant = (name: string) => tenantsOf(api).get(name);
const waitForCondition = (name: string, type: string, status: string, reason?: string) => tenantsOf(api).waitForCondition(name, type, status, reason, 30_000);

function billingStep(apiUrl: string): BillingStep {
  return {
    provisioner: new BillingProvisioner({
      stripe: createStripeClient({ secretKey: 'sk_test_operator', apiUrl }),
      platform: db.platform,
      tenants: new TenantClients(db.pool),
      livemode: false,
    }),
    recheckMs: 300,
  };
}

async function start(billing: BillingStep): Promise<{ operator: Operator; registry: Registry }> {
  const started = await startOperator({ api, database: db, logger: log.logger, billing });
  running.push(started.operator);
  return started;
}

async function metricValue(registry: Registry, name: string, labels: Record<string, string> = {}): Promise<number> {
  const metric = (await registry.getMetricsAsJSON()).find((m) => m.name === name);
  const values = (metric as { values?: { value: number; labels: Record<string, string | number> }[] } | undefined)?.values ?? [];
  return values.filter((v) => Object.entries(labels).every(([k, val]) => String(v.labels[k]) === val)).reduce((sum, v) => sum + v.value, 0);
}

const operatorWrites = async () => (await api.writeRequests({ user: OPERATOR_USER })).filter((e) => e.objectRef?.resource !== 'leases');

async function countingProxy(target: StripeMock): Promise<typeof stripe> {
  const proxy = { url: '', requests: 0, server: createServer() };
  proxy.server.on('request', (req, res) => {
    proxy.requests++;
    const upstream = httpRequest({ host: target.host, port: target.port, method: req.method, path: req.url, headers: req.headers }, (answer) => {
      res.writeHead(answer.statusCode ?? 502, answer.headers);
      answer.pipe(res);
    });
    upstream.on('error', () => res.writeHead(502).end());
    req.pipe(upstream);
  });
  await new Promise<void>((resolve) => proxy.server.listen(0, '127.0.0.1', resolve));
  proxy.url = `http://127.0.0.1:${(proxy.server.address() as AddressInfo).port}`;
  return proxy;
}

beforeAll(async () => {
  database = await createTestDatabase();
  cleanups.push(() => database.dispose());
  stripeMock = await startStripeMock();
  cleanups.push(() => stripeMock.stop());
  stripe = await countingProxy(stripeMock);
  cleanups.push(
    () =>
      new Promise<void>((resolve) => {
        stripe.server.close(() => resolve());
        stripe.server.closeAllConnections();
      }),
  );
  api = await startTestApiServer({ crds: [tenantCrd()] });
  cleanups.push(() => api.stop());
  db = await platformDatabase(database.url);
  cleanups.push(() => db.close());
  await api.request('POST', '/api/v1/namespaces', { apiVersion: 'v1', kind: 'Namespace', metadata: { name: SYSTEM_NAMESPACE } });
  expect((await api.request('POST', `/api/v1/namespaces/${SYSTEM_NAMESPACE}/secrets`, livekitSecret(SYSTEM_NAMESPACE, 'livekit'))).status).toBe(201);
}, 90_000);

afterEach(async () => {
  for (const operator of running.splice(0)) await operator.stop();
});

afterAll(async () => {
  for (const operator of running.splice(0)) await operator.stop();
  for (const cleanup of cleanups.reverse()) await cleanup();
}, 60_000);

describe('the billing step of the Tenant operator (Stripe Connect through stripe-mock)', () => {
  it('creates the Stripe account, holds Ready until the account can sell, then is Ready; a resync calls Stripe and writes nothing; deletion closes the account', async () => {
    const { operator, registry } = await start(billingStep(stripe.url));
    const slug = uniqueSlug('billed');
    await createTenant(slug);

    // stripe-mock's new account has not finished onboarding: BillingReady says so, and Ready waits for it.
    const waiting = await waitForCondition(slug, 'BillingReady', 'False');
    const account = await db.platform.billingAccount.findUnique({ where: { tenantSlug: slug } });
    expect(account?.stripeAccountId).toMatch(/^acct_/);
    const billingReady = conditionOf(waiting, 'BillingReady');
    expect(billingReady?.message).toContain(`Stripe account ${account?.stripeAccountId ?? '?'}: `);
    expect(['OnboardingIncomplete', 'ChargesDisabled']).toContain(billingReady?.reason);
    expect(conditionOf(waiting, 'Ready')).toMatchObject({ status: 'False', reason: billingReady?.reason, message: `BillingReady: ${billingReady?.message ?? ''}` });
    expect(conditionOf(waiting, 'WorkloadReady')?.status).toBe('True');
    expect(stripe.requests).toBeGreaterThan(0);

    // Onboarding finishes: the billing service records the account.updated event (as its webhook does),
    // once. An `ensure` in flight read Stripe before it and must not roll it back.
    await db.platform.billingAccount.update({
      where: { tenantSlug: slug },
      data: { chargesEnabled: true, detailsSubmitted: true, cardPayments: 'active', disabledReason: null, requirementsDue: [], stateAsOf: new Date(), updatedAt: new Date() },
    });
    const ready = await waitUntil(`${slug} Ready=True after onboarding`, async () => {
      const tenant = await getTenant(slug);
      return conditionOf(tenant, 'Ready')?.status === 'True' && tenant?.status?.observedGeneration === tenant?.metadata.generation ? tenant : undefined;
    });
    expect(conditionOf(ready, 'BillingReady')).toMatchObject({
      status: 'True',
      reason: 'SalesOpen',
      message: `Stripe account ${account?.stripeAccountId ?? '?'}: The Stripe account can take card payments.`,
      observedGeneration: ready.metadata.generation,
    });

    // Steady state: a resync of the unchanged Tenant sends no write, no Stripe request, no billing write.
    await new Promise((r) => setTimeout(r, 1_500));
    const writesBefore = (await operatorWrites()).length;
    const stripeBefore = stripe.requests;
    const rowBefore = await db.platform.billingAccount.findUnique({ where: { tenantSlug: slug } });
    const reconcilesBefore = await metricValue(registry, 'controller_runtime_reconcile_total', { result: 'success' });
    operator.controller.resyncAll();
    await waitUntil('the Tenant to be reconciled again', async () => (await metricValue(registry, 'controller_runtime_reconcile_total', { result: 'success' })) > reconcilesBefore);
    await new Promise((r) => setTimeout(r, 500));
    expect((await operatorWrites()).slice(writesBefore).map((e) => `${e.verb} ${e.requestURI}`)).toEqual([]);
    expect(stripe.requests).toBe(stripeBefore);
    expect(await db.platform.billingAccount.findUnique({ where: { tenantSlug: slug } })).toEqual(rowBefore);

    // The finalizer closes the billing account (sales stop); the Stripe account stays with the tenant.
    expect((await api.request('DELETE', `${TENANTS_PATH}/${slug}`)).status).toBe(200);
    await waitUntil('the Tenant to be gone', async () => (await getTenant(slug)) === undefined);
    const closed = await db.platform.billingAccount.findUnique({ where: { tenantSlug: slug } });
    expect(closed?.closedAt).toBeInstanceOf(Date);
    expect(closed?.stripeAccountId).toBe(account?.stripeAccountId);
  }, SLOW);

  it('reports Stripe being unreachable in BillingReady, keeps Ready False and retries with backoff', async () => {
    const { registry } = await start(billingStep(`http://127.0.0.1:${await freePort()}`));
    const slug = uniqueSlug('nostripe');
    await createTenant(slug);
    const tenant = await waitForCondition(slug, 'BillingReady', 'False', 'StripeUnavailable');
    expect(conditionOf(tenant, 'BillingReady')?.message).toMatch(/^Stripe: .+/);
    expect(conditionOf(tenant, 'Ready')).toMatchObject({ status: 'False', reason: 'StripeUnavailable' });
    expect(conditionOf(tenant, 'RegistryReady')?.status).toBe('True');
    expect(await db.platform.billingAccount.findUnique({ where: { tenantSlug: slug } })).toBeNull();
    await waitUntil('retries', async () => (await metricValue(registry, 'workqueue_retries_total')) >= 2);
  }, SLOW);
});
