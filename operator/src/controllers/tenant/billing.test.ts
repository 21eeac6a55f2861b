import { createServer, request as httpRequest, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { ConnectAccounts, createStripeClient } from '@mindbot/stripe-connect';
import { TenantClients } from '@mindbot/db';
import { captureLogger, freePort, startStripeMock, uniqueSlug, type StripeMock } from '@mindbot/testing';
import { TENANTS_PATH } from '../../api/v1alpha1/tenant-types.js';
import type { TestApiServer } from '../../testing/test-api-server.js';
import {
  conditionOf,
  metricValue,
  operatorWrites,
  startOperatorEnvironment,
  tenantManifest,
  tenantsOf,
  waitUntil,
  type OperatorEnvironment,
  type PlatformDatabase,
} from '../../testing/operator-harness.js';
import type { BillingStep } from './billing.js';

const SLOW = 60_000;

let env: OperatorEnvironment;
let api: TestApiServer;
let db: PlatformDatabase;
let stripeMock: StripeMock;
/** A counting pass-through in front of stripe-mock: how many requests reached "Stripe". */
let stripe: { url: string; requests: number; server: Server };
const log = captureLogger('operator');

const createTenant = (slug: string) => tenantsOf(api).create(tenantManifest(slug));
const getTenant = (name: string) => tenantsOf(api).get(name);
const waitForCondition = (name: string, type: string, status: string, reason?: string) =>
  tenantsOf(api).waitForCondition(name, type, status, reason, 30_000);

function billingStep(apiUrl: string): BillingStep {
  return {
    accounts: new ConnectAccounts({
      stripe: createStripeClient({ secretKey: 'sk_test_operator', apiUrl }),
      platform: db.platform,
      tenants: new TenantClients(db.pool),
      livemode: false,
    }),
    recheckMs: 300,
  };
}

const start = (billing: BillingStep) => env.startOperator({ billing });

async function countingProxy(target: StripeMock): Promise<typeof stripe> {
  const proxy = { url: '', requests: 0, server: createServer() };
  proxy.server.on('request', (req, res) => {
    proxy.requests++;
    const upstream = httpRequest(
      { host: target.host, port: target.port, method: req.method, path: req.url, headers: req.headers },
      (answer) => {
        res.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(res);
      },
    );
    upstream.on('error', () => res.writeHead(502).end());
    req.pipe(upstream);
  });
  await new Promise<void>((resolve) => proxy.server.listen(0, '127.0.0.1', resolve));
  proxy.url = `http://127.0.0.1:${(proxy.server.address() as AddressInfo).port}`;
  return proxy;
}

beforeAll(async () => {
  stripeMock = await startStripeMock();
  stripe = await countingProxy(stripeMock);
  env = await startOperatorEnvironment(log.logger);
  ({ api, db } = env);
}, 90_000);

afterEach(async () => {
  await env.stopOperators();
});

afterAll(async () => {
  await env.close();
  await new Promise<void>((resolve) => {
    stripe.server.close(() => resolve());
    stripe.server.closeAllConnections();
  });
  await stripeMock.stop();
}, 60_000);

describe('the billing step of the Tenant operator (Stripe Connect through stripe-mock)', () => {
  it(
    'creates the Stripe account, holds Ready until the account can sell, then is Ready; a resync calls Stripe and writes nothing; deletion closes the account',
    async () => {
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
      expect(conditionOf(waiting, 'Ready')).toMatchObject({
        status: 'False',
        reason: billingReady?.reason,
        message: `BillingReady: ${billingReady?.message ?? ''}`,
      });
      expect(conditionOf(waiting, 'WorkloadReady')?.status).toBe('True');
      expect(stripe.requests).toBeGreaterThan(0);

      // Onboarding finishes: the billing service records the account.updated event (as its webhook does),
      // once. An `ensure` in flight read Stripe before it and must not roll it back.
      await db.platform.billingAccount.update({
        where: { tenantSlug: slug },
        data: {
          chargesEnabled: true,
          detailsSubmitted: true,
          cardPayments: 'active',
          disabledReason: null,
          requirementsDue: [],
          stateAsOf: new Date(),
          updatedAt: new Date(),
        },
      });
      const ready = await waitUntil(`${slug} Ready=True after onboarding`, async () => {
        const tenant = await getTenant(slug);
        return conditionOf(tenant, 'Ready')?.status === 'True' && tenant?.status?.observedGeneration === tenant?.metadata.generation
          ? tenant
          : undefined;
      });
      expect(conditionOf(ready, 'BillingReady')).toMatchObject({
        status: 'True',
        reason: 'SalesOpen',
        message: `Stripe account ${account?.stripeAccountId ?? '?'}: The Stripe account can take card payments.`,
        observedGeneration: ready.metadata.generation,
      });

      // Steady state: a resync of the unchanged Tenant sends no write, no Stripe request, no billing write.
      await new Promise((r) => setTimeout(r, 1_500));
      const writesBefore = (await operatorWrites(api)).length;
      const stripeBefore = stripe.requests;
      const rowBefore = await db.platform.billingAccount.findUnique({ where: { tenantSlug: slug } });
      const reconcilesBefore = await metricValue(registry, 'controller_runtime_reconcile_total', { result: 'success' });
      operator.controller.resyncAll();
      await waitUntil(
        'the Tenant to be reconciled again',
        async () => (await metricValue(registry, 'controller_runtime_reconcile_total', { result: 'success' })) > reconcilesBefore,
      );
      await new Promise((r) => setTimeout(r, 500));
      expect((await operatorWrites(api)).slice(writesBefore).map((e) => `${e.verb} ${e.requestURI}`)).toEqual([]);
      expect(stripe.requests).toBe(stripeBefore);
      expect(await db.platform.billingAccount.findUnique({ where: { tenantSlug: slug } })).toEqual(rowBefore);

      // The finalizer closes the billing account (sales stop); the Stripe account stays with the tenant.
      expect((await api.request('DELETE', `${TENANTS_PATH}/${slug}`)).status).toBe(200);
      await waitUntil('the Tenant to be gone', async () => (await getTenant(slug)) === undefined);
      const closed = await db.platform.billingAccount.findUnique({ where: { tenantSlug: slug } });
      expect(closed?.closedAt).toBeInstanceOf(Date);
      expect(closed?.stripeAccountId).toBe(account?.stripeAccountId);
    },
    SLOW,
  );

  it(
    'reports Stripe being unreachable in BillingReady, keeps Ready False and retries with backoff',
    async () => {
      const { registry } = await start(billingStep(`http://127.0.0.1:${await freePort()}`));
      const slug = uniqueSlug('nostripe');
      await createTenant(slug);
      const tenant = await waitForCondition(slug, 'BillingReady', 'False', 'StripeUnavailable');
      expect(conditionOf(tenant, 'BillingReady')?.message).toMatch(/^Stripe: .+/);
      expect(conditionOf(tenant, 'Ready')).toMatchObject({ status: 'False', reason: 'StripeUnavailable' });
      expect(conditionOf(tenant, 'RegistryReady')?.status).toBe('True');
      expect(await db.platform.billingAccount.findUnique({ where: { tenantSlug: slug } })).toBeNull();
      await waitUntil('retries', async () => (await metricValue(registry, 'workqueue_retries_total')) >= 2);
    },
    SLOW,
  );
});
