import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import request from 'supertest';
import { createTokenVerifier } from '@mindbot/auth';
import { createApp as createBillingApp } from '@mindbot/billing';
import { startServer, type RunningServer } from '@mindbot/http';
import { buildServiceDeps, type ServiceDeps } from '@mindbot/service-runtime';
import { TestSamlIdp } from '@mindbot/testing/saml-idp';
import { startSsoHarness, type SsoHarness } from '@mindbot/sso/testing/sso-harness';
import { startTestDns, type TestDns } from '@mindbot/testing/test-dns';
import {
  captureLogger,
  createTestDatabase,
  type CapturedLogger,
  freePort,
  testRedisUrl,
  uniqueSlug,
  type TestDatabase,
} from '@mindbot/testing';
import { billingPolicyOf } from '../services/billing/src/deps.js';
import { defaultBillingPolicyConfig } from '../services/billing/src/config.js';
import { createStripeClient } from '@mindbot/stripe-connect';
import { BILLING_SERVICE_TOKEN, startGatewayHarness, type GatewayHarness } from '../services/gateway/src/testing/harness.js';
import { generateRequests, operationsOf, runFuzz, type Answer, type FuzzDoor, type OpenApiDocument } from './support/http-fuzz.js';

// Issue 11: no request, however malformed at the transport, answers 5xx or crashes a process. Every
// operation of the published OpenAPI document gets generated requests (wrong types, huge strings,
// control characters, deep nesting, broken JSON, odd Host / Content-Type / Content-Encoding /
// Content-Length, odd methods and path parameters), sent as raw bytes to the real gateway (with
// the real billing and SSO behind it) and to billing and SSO directly.

/** Change it to explore other requests; a failure names the seed and each request that failed. */
const SEED = Number(process.env.FUZZ_SEED ?? 20_251_106);
const REQUESTS = 3_000;
/** No request is started after this long; on a quiet machine all of them are sent well before. */
const BUDGET_MS = 15_000;
/** Fewer than this within the budget means something stalls (or the machine is hopelessly busy). */
const AT_LEAST = 500;

describe('every documented route, fuzzed from the OpenAPI document: never a 5xx, never a dead process', () => {
  let database: TestDatabase;
  let dns: TestDns;
  let gateway: GatewayHarness;
  let gatewayServer: RunningServer;
  let billingLog: CapturedLogger;
  let billingDeps: ServiceDeps;
  let billingServer: RunningServer;
  let sso: SsoHarness;
  let ssoServer: RunningServer;
  let doc: OpenApiDocument;
  let doors: FuzzDoor[];

  beforeAll(async () => {
    database = await createTestDatabase();
    dns = await startTestDns();
    const [billingPort, ssoPort] = [await freePort(), await freePort()];
    gateway = await startGatewayHarness({ database, billingUrl: `http://127.0.0.1:${billingPort}`, ssoUrl: `http://127.0.0.1:${ssoPort}` });
    const slug = uniqueSlug('fuzz');
    // One tenant for every door; its plan lets the whole run through the gateway's rate limit.
    await gateway.provision(slug, (manifest) => {
      manifest.spec.plan.requestsPerMinute = 1_000_000;
    });
    // Billing as main.ts builds it, trusting the gateway's tokens and service credential; Stripe is
    // never reached (the tenant has no Stripe account, so nothing gets that far).
    billingLog = captureLogger('billing');
    billingDeps = buildServiceDeps({
      service: 'billing',
      region: gateway.region,
      logger: billingLog.logger,
      databaseUrl: database.url,
      redisUrl: testRedisUrl(),
    });
    const billingApp = createBillingApp(billingDeps, {
      stripe: createStripeClient({ secretKey: 'sk_test_fuzz', apiUrl: 'http://127.0.0.1:9' }),
      webhookSecret: 'whsec_fuzz',
      livemode: false,
      verifier: createTokenVerifier({ jwks: gateway.issuer.jwks, issuer: gateway.issuer.issuer, audience: gateway.issuer.audience }),
      serviceTokens: [BILLING_SERVICE_TOKEN],
      appUrl: 'http://127.0.0.1:9',
      ...billingPolicyOf(defaultBillingPolicyConfig()),
      clock: () => new Date(),
    });
    billingServer = await startServer(billingApp, {
      port: billingPort,
      host: '127.0.0.1',
      logger: billingDeps.logger,
      lifecycle: billingDeps.lifecycle,
      shutdownTimeoutMs: 1_000,
    });
    sso = await startSsoHarness({ database, trustProxy: 'loopback', env: { SSO_DNS_SERVERS: dns.server } });
    ssoServer = await startServer(sso.app, {
      port: ssoPort,
      host: '127.0.0.1',
      logger: gateway.log.logger,
      lifecycle: sso.deps.lifecycle,
      shutdownTimeoutMs: 1_000,
    });
    gatewayServer = await gateway.listen();

    const host = `${slug}.localhost`;
    const admin = await gateway.token(slug, 'usr_fuzz_admin', ['owner', 'admin']);
    const member = await gateway.token(slug, 'usr_fuzz_member', ['member']);
    const created = await request(gatewayServer.url)
      .post('/v1/api-keys')
      .set('Host', host)
      .set('Authorization', `Bearer ${admin}`)
      .send({ name: 'fuzz', permissions: ['voice:sessions', 'api-keys:read'] });
    expect(created.status).toBe(201);
    const ssoAdmin = await sso.tokenFor({ slug, host, origin: `http://${host}` }, ['admin']);
    // A SAML connection (its IdP needs no network until a browser goes there), so the SAML routes are reached.
    const saml = await request(ssoServer.url)
      .post('/v1/sso/connections')
      .set('Host', host)
      .set('Authorization', `Bearer ${ssoAdmin}`)
      .send({ kind: 'saml', name: 'fuzz', metadataXml: new TestSamlIdp('fuzz').metadataXml() });
    expect(saml.status).toBe(201);
    const connectionId = String(saml.body.id);
    const pkg = await request(billingServer.url)
      .post('/v1/admin/packages')
      .set('Authorization', `Bearer ${admin}`)
      .send({ name: 'Fuzz', priceCents: 500, currency: 'usd', baseSeconds: 600 });
    expect(pkg.status).toBe(201);
    const packageId = String(pkg.body.id);
    doc = (await request(gatewayServer.url).get('/openapi.json')).body as OpenApiDocument;
    const operations = operationsOf(doc);
    const port = (url: string) => Number(new URL(url).port);
    doors = [
      {
        name: 'gateway',
        port: port(gatewayServer.url),
        host,
        credentials: [
          ['Authorization', `Bearer ${admin}`],
          ['Authorization', `Bearer ${member}`],
          ['X-Api-Key', String(created.body.key)],
        ],
        operations,
        weight: 5,
        known: { id: [String(created.body.apiKey.id), connectionId, packageId], connectionId: [connectionId] },
      },
      {
        name: 'billing',
        port: billingPort,
        host,
        credentials: [
          ['Authorization', `Bearer ${admin}`],
          ['Authorization', `Bearer ${member}`],
        ],
        operations: operations.filter((o) => o.upstream === 'billing'),
        weight: 2,
        known: { id: [packageId] },
      },
      {
        name: 'sso',
        port: ssoPort,
        host,
        credentials: [['Authorization', `Bearer ${ssoAdmin}`]],
        operations: operations.filter((o) => o.upstream === 'sso'),
        weight: 3,
        known: { id: [connectionId], connectionId: [connectionId] },
      },
    ];
  });

  afterAll(async () => {
    await gatewayServer.close();
    await ssoServer.close();
    await billingServer.close();
    await billingDeps.close();
    await sso.close();
    await gateway.close();
    await dns.close();
    await database.dispose();
  });

  it(`answers up to ${REQUESTS} generated requests over every operation with no 5xx (seed ${SEED})`, async () => {
    expect(doors.map((d) => d.operations.length > 10)).toEqual([true, true, true]);
    const requests = generateRequests(doors, doc.components.schemas, SEED, REQUESTS);
    // A failure shows what the services logged about it (warnings and errors under its request id).
    const explain = (answer: Answer) => {
      const id = /req_[0-9a-z]+/.exec(answer.excerpt)?.[0];
      const lines =
        id === undefined
          ? []
          : [...gateway.log.lines, ...billingLog.lines, ...sso.logs].filter((l) => Number(l.level) >= 40 && JSON.stringify(l).includes(id));
      return lines.map((l) => `\n  logged: ${JSON.stringify({ msg: l.msg, err: l.err }).slice(0, 600)}`).join('');
    };
    const outcome = await runFuzz(requests, { concurrency: 6, timeoutMs: 10_000, deadline: Date.now() + BUDGET_MS, explain });
    if (outcome.failures.length > 0) {
      throw new Error(
        `${outcome.failures.length} of ${outcome.sent} requests (seed ${SEED}) got a 5xx or no answer:\n\n${outcome.failures.slice(0, 15).join('\n\n')}`,
      );
    }
    expect(outcome.sent).toBeGreaterThanOrEqual(AT_LEAST);
    // Every documented operation got requests.
    const reached = new Set(requests.slice(0, outcome.sent).map((r) => r.operation));
    expect(
      operationsOf(doc)
        .map((o) => `${o.method} ${o.path}`)
        .filter((o) => !reached.has(o)),
    ).toEqual([]);
    // The run reached the routes, not only the front door's refusals: some succeeded, many kinds were refused.
    const count = (prefix: string) =>
      Object.entries(outcome.statuses).reduce((sum, [status, n]) => (status.startsWith(prefix) ? sum + n : sum), 0);
    expect(count('2')).toBeGreaterThan(outcome.sent / 40);
    expect(Object.keys(outcome.statuses).filter((s) => s.startsWith('4')).length).toBeGreaterThan(6);
    expect(outcome.statuses['415']).toBeGreaterThan(0);
    // Every process still serves.
    for (const url of [gatewayServer.url, billingServer.url, ssoServer.url]) {
      expect((await request(url).get('/healthz')).status).toBe(200);
    }
  }, 90_000);

  it('the check itself: a route that fails on a NUL in its body is caught and the request named', async () => {
    // A server that answers 500 when a body holds a NUL or a JSON \u0000, as the services did before.
    const server: Server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        const body = Buffer.concat(chunks).toString('latin1');
        res.statusCode = body.includes('\u0000') || body.includes('\\u0000') ? 500 : 200;
        res.end();
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    try {
      const door: FuzzDoor = {
        name: 'probe',
        port: (server.address() as AddressInfo).port,
        host: 'probe.test',
        credentials: [],
        operations: [
          {
            method: 'POST',
            path: '/v1/things',
            upstream: undefined,
            query: [],
            body: {
              mediaType: 'application/json',
              schema: { type: 'object', properties: { name: { type: 'string' } }, required: ['name'] },
            },
          },
        ],
        weight: 1,
      };
      const outcome = await runFuzz(generateRequests([door], {}, SEED, 300), { concurrency: 6, timeoutMs: 5_000 });
      expect(outcome.failures.length).toBeGreaterThan(0);
      expect(outcome.failures[0]).toMatch(
        /^#\d+ probe: POST \/v1\/things HTTP\/1\.[01] \(.*\)\n {2}headers: .*\n {2}body \(\d+ bytes\): .*\n {2}→ answered 500/,
      );
    } finally {
      await new Promise<void>((resolve) => server.close(() => resolve()));
    }
  });
});
