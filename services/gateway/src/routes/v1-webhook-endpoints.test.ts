import request from 'supertest';
import { Webhook } from 'standardwebhooks';
import type { Express } from 'express';
import { randomBytes } from 'node:crypto';
import { Jobs, WebhookSecrets } from '@mindbot/jobs';
import { startWebhookReceiver, type ReceivedWebhook, type WebhookReceiver } from '@mindbot/jobs/testing';
import {
  problemSchema,
  webhookDeliveryPageSchema,
  webhookEndpointListSchema,
  webhookEndpointSchema,
  webhookEndpointWithSecretSchema,
  webhookQueuedSchema,
  type WebhookDelivery,
} from '@mindbot/sdk/schemas';
import { uniqueSlug } from '@mindbot/testing';
import { createApp } from '../app.js';
import { WebhookEndpoints } from '../domain/webhook-endpoints.js';
import { startGatewayHarness, type GatewayHarness } from '../testing/harness.js';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const verify = (secret: string, hook: ReceivedWebhook) =>
  new Webhook(secret).verify(hook.body, {
    'webhook-id': String(hook.headers['webhook-id']),
    'webhook-timestamp': String(hook.headers['webhook-timestamp']),
    'webhook-signature': String(hook.headers['webhook-signature']),
  });

describe('gateway: webhook endpoints, their delivery log, replay and tests', () => {
  let h: GatewayHarness;
  /** The gateway as tests and local development run it (WEBHOOKS_ALLOW_PRIVATE_TARGETS=true); h.app has the production policy. */
  let app: Express;
  let jobs: Jobs;
  let receiver: WebhookReceiver;
  let acme: string;
  let globex: string;
  let admin: string;
  let globexAdmin: string;
  const host = () => `${acme}.localhost`;

  beforeAll(async () => {
    h = await startGatewayHarness();
    // WEBHOOK_SECRET_KEYS: the same keys seal secrets in the API and open them in the deliverer.
    const secrets = new WebhookSecrets([{ kid: 'k1', key: randomBytes(32) }]);
    app = createApp(h.deps, { ...h.gateway, webhooks: new WebhookEndpoints(h.deps.tenants, { allowPrivateTargets: true }, secrets) });
    acme = uniqueSlug('acme');
    globex = uniqueSlug('globex');
    await h.provision(acme);
    await h.provision(globex);
    admin = await h.token(acme, 'usr_admin', ['admin']);
    globexAdmin = await h.token(globex, 'usr_gadmin', ['owner']);
    receiver = await startWebhookReceiver();
    jobs = new Jobs({
      connectionString: h.database.url,
      tenants: h.deps.tenants,
      platform: h.deps.platform,
      listener: h.deps.notifications,
      logger: h.log.logger,
      webhooks: { allowPrivateTargets: true, timeoutMs: 500, notices: () => Promise.resolve(), secrets },
      webhookQueue: { retryLimit: 1, retryDelay: 0, retryBackoff: false },
      pollingIntervalSeconds: 0.5,
    });
    await jobs.start();
  });

  afterAll(async () => {
    await jobs.stop();
    await receiver.close();
    await h.close();
  });

  const as = (token: string, tenantHost = host()) => ({ Host: tenantHost, Authorization: `Bearer ${token}` });
  const create = async (body: object = { url: receiver.url, events: ['user.created'] }) => {
    const res = await request(app).post('/v1/webhook-endpoints').set(as(admin)).send(body);
    expect(res.status).toBe(201);
    return webhookEndpointWithSecretSchema.parse(res.body);
  };
  const deliveriesOf = async (endpointId: string, query = ''): Promise<{ deliveries: WebhookDelivery[]; nextCursor: string | null }> => {
    const res = await request(app).get(`/v1/webhook-endpoints/${endpointId}/deliveries${query}`).set(as(admin));
    expect(res.status).toBe(200);
    return webhookDeliveryPageSchema.parse(res.body);
  };
  const nextHook = async (after: number) => (await receiver.waitFor(after + 1))[after];

  it('lets an admin register an endpoint whose secret is shown once, list it and read it', async () => {
    const res = await request(app)
      .post('/v1/webhook-endpoints')
      .set(as(admin))
      .send({ url: receiver.url, description: 'CRM sync', events: ['purchase.completed', 'user.created', 'user.created'] });
    expect(res.status).toBe(201);
    expect(res.headers['cache-control']).toBe('no-store');
    const created = webhookEndpointWithSecretSchema.parse(res.body);
    expect(created.secret).toMatch(/^whsec_[A-Za-z0-9+/]{43}=$/);
    expect(created.endpoint).toMatchObject({
      url: receiver.url,
      description: 'CRM sync',
      events: ['purchase.completed', 'user.created'],
      status: 'active',
      disabledReason: null,
      createdBy: 'usr_admin',
    });
    const list = await request(app).get('/v1/webhook-endpoints').set(as(admin));
    expect(list.status).toBe(200);
    expect(webhookEndpointListSchema.parse(list.body).endpoints.map((e) => e.id)).toContain(created.endpoint.id);
    expect(JSON.stringify(list.body)).not.toContain(created.secret);
    const one = await request(app).get(`/v1/webhook-endpoints/${created.endpoint.id}`).set(as(admin));
    expect(webhookEndpointSchema.parse(one.body)).toEqual(created.endpoint);
    expect(JSON.stringify(one.body)).not.toContain(created.secret);
    const audit = await h.deps.tenants
      .forTenant(acme)
      .transaction((tx) => tx.auditEvent.findMany({ where: { action: 'webhook_endpoint.created', target: created.endpoint.id } }));
    expect(audit).toHaveLength(1);
    const stored = await h.deps.tenants
      .forTenant(acme)
      .transaction((tx) => tx.webhookEndpoint.findUniqueOrThrow({ where: { id: created.endpoint.id } }));
    expect(stored.secret).toMatch(/^\{"v":1,"kek":"k1"/);
    expect(stored.secret).not.toContain(created.secret.slice(6));
  });

  it('sends a signed test event, logs the attempt, and replays it with the same webhook-id', async () => {
    const { endpoint, secret } = await create();
    const before = receiver.received.length;
    const test = await request(app).post(`/v1/webhook-endpoints/${endpoint.id}/test`).set(as(admin));
    expect(test.status).toBe(202);
    const queued = webhookQueuedSchema.parse(test.body);
    const hook = await nextHook(before);
    if (!hook) throw new Error('nothing received');
    expect(verify(secret, hook)).toMatchObject({ id: queued.eventId, type: 'webhook.test' });

    let page = await deliveriesOf(endpoint.id);
    for (let i = 0; i < 40 && page.deliveries.length === 0; i++) {
      await sleep(50);
      page = await deliveriesOf(endpoint.id);
    }
    const [first] = page.deliveries;
    expect(first).toMatchObject({
      eventId: queued.eventId,
      eventType: 'webhook.test',
      attempt: 1,
      status: 'succeeded',
      responseStatus: 204,
    });
    if (!first) throw new Error('no delivery');

    const replay = await request(app).post(`/v1/webhook-deliveries/${first.id}/replay`).set(as(admin));
    expect(replay.status).toBe(202);
    const again = await nextHook(before + 1);
    expect(again?.headers['webhook-id']).toBe(queued.eventId);
    for (let i = 0; i < 40 && page.deliveries.length < 2; i++) {
      await sleep(50);
      page = await deliveriesOf(endpoint.id);
    }
    expect(page.deliveries.map((d) => d.attempt)).toEqual([2, 1]);

    const firstPage = await deliveriesOf(endpoint.id, '?limit=1');
    expect(firstPage.deliveries.map((d) => d.attempt)).toEqual([2]);
    expect(firstPage.nextCursor).not.toBeNull();
    const secondPage = await deliveriesOf(endpoint.id, `?limit=1&cursor=${firstPage.nextCursor ?? ''}`);
    expect(secondPage.deliveries.map((d) => d.attempt)).toEqual([1]);
    expect(secondPage.nextCursor).toBeNull();
  });

  it('rotates the signing secret: the old one no longer verifies what is sent next', async () => {
    const { endpoint, secret: old } = await create();
    const res = await request(app).post(`/v1/webhook-endpoints/${endpoint.id}/rotate-secret`).set(as(admin));
    expect(res.status).toBe(200);
    const rotated = webhookEndpointWithSecretSchema.parse(res.body);
    expect(rotated.secret).not.toBe(old);
    const before = receiver.received.length;
    expect((await request(app).post(`/v1/webhook-endpoints/${endpoint.id}/test`).set(as(admin))).status).toBe(202);
    const hook = await nextHook(before);
    if (!hook) throw new Error('nothing received');
    expect(verify(rotated.secret, hook)).toMatchObject({ type: 'webhook.test' });
    expect(() => verify(old, hook)).toThrow();
  });

  it('disables and re-enables an endpoint with PATCH; a disabled one takes no test or replay', async () => {
    const { endpoint } = await create();
    const off = await request(app).patch(`/v1/webhook-endpoints/${endpoint.id}`).set(as(admin)).send({ status: 'disabled' });
    expect(off.status).toBe(200);
    expect(webhookEndpointSchema.parse(off.body)).toMatchObject({ status: 'disabled', disabledReason: 'disabled by usr_admin' });
    const refused = await request(app).post(`/v1/webhook-endpoints/${endpoint.id}/test`).set(as(admin));
    expect(refused.status).toBe(409);
    const on = await request(app)
      .patch(`/v1/webhook-endpoints/${endpoint.id}`)
      .set(as(admin))
      .send({ status: 'active', events: ['balance.low'], description: 'Low balance alerts' });
    expect(on.status).toBe(200);
    expect(webhookEndpointSchema.parse(on.body)).toMatchObject({
      status: 'active',
      disabledReason: null,
      failureStreak: 0,
      events: ['balance.low'],
      description: 'Low balance alerts',
    });
    expect((await request(app).post(`/v1/webhook-endpoints/${endpoint.id}/test`).set(as(admin))).status).toBe(202);
    const audit = await h.deps.tenants
      .forTenant(acme)
      .transaction((tx) => tx.auditEvent.findMany({ where: { target: endpoint.id }, orderBy: { seq: 'asc' } }));
    expect(audit.map((a) => a.action)).toEqual(['webhook_endpoint.created', 'webhook_endpoint.updated', 'webhook_endpoint.enabled']);
  });

  it('deletes an endpoint: it and its log are gone', async () => {
    const { endpoint } = await create();
    expect((await request(app).delete(`/v1/webhook-endpoints/${endpoint.id}`).set(as(admin))).status).toBe(204);
    expect((await request(app).get(`/v1/webhook-endpoints/${endpoint.id}`).set(as(admin))).status).toBe(404);
    expect((await request(app).get(`/v1/webhook-endpoints/${endpoint.id}/deliveries`).set(as(admin))).status).toBe(404);
    expect((await request(app).delete(`/v1/webhook-endpoints/${endpoint.id}`).set(as(admin))).status).toBe(404);
  });

  it('refuses bad input with a 400 naming the field, and stores nothing', async () => {
    const count = () => h.deps.tenants.forTenant(acme).transaction((tx) => tx.webhookEndpoint.count());
    const before = await count();
    const cases: [object, string][] = [
      [{ url: receiver.url, events: ['purchase.refunded'] }, 'body.events'],
      [{ url: receiver.url, events: [] }, 'body.events'],
      [{ url: receiver.url }, 'body.events'],
      [{ url: 'not a url', events: ['user.created'] }, 'body.url'],
      [{ url: `https://example.com/${'a'.repeat(2050)}`, events: ['user.created'] }, 'body.url'],
      [{ url: receiver.url, events: ['user.created'], description: 'd'.repeat(501) }, 'body.description'],
      [{ url: receiver.url, events: ['user.created'], secret: 'whsec_mine' }, 'body'],
    ];
    for (const [body, path] of cases) {
      const res = await request(app).post('/v1/webhook-endpoints').set(as(admin)).send(body);
      expect(res.status).toBe(400);
      expect(problemSchema.parse(res.body).code).toBe('validation_failed');
      expect(JSON.stringify(res.body.errors)).toContain(path);
    }
    const patch = await request(app)
      .patch('/v1/webhook-endpoints/whe_01jd3x0000000000000000000a')
      .set(as(admin))
      .send({ status: 'paused' });
    expect(patch.status).toBe(400);
    expect(await count()).toBe(before);
  });

  it('refuses, with the production policy, http URLs and targets in private, loopback, link-local, CGNAT and metadata ranges', async () => {
    const count = () => h.deps.tenants.forTenant(acme).transaction((tx) => tx.webhookEndpoint.count());
    const before = await count();
    const refused = [
      receiver.url,
      'http://example.com/hooks',
      'https://127.0.0.1/hooks',
      'https://localhost/hooks',
      'https://10.1.2.3/hooks',
      'https://192.168.0.10/hooks',
      'https://172.16.5.4/hooks',
      'https://169.254.169.254/latest/meta-data',
      'https://100.64.0.1/hooks',
      'https://224.0.0.1/hooks',
      'https://0.0.0.0/hooks',
      'https://[::1]/hooks',
      'https://[::ffff:127.0.0.1]/hooks',
      'https://[fd00:ec2::254]/hooks',
      'https://[fe80::1]/hooks',
      'https://user:pass@example.com/hooks',
    ];
    for (const url of refused) {
      const res = await request(h.app)
        .post('/v1/webhook-endpoints')
        .set(as(admin))
        .send({ url, events: ['user.created'] });
      expect([url, res.status]).toEqual([url, 400]);
      expect(res.body.errors).toEqual([expect.objectContaining({ path: 'body.url' })]);
    }
    const { endpoint } = await create();
    const patched = await request(h.app).patch(`/v1/webhook-endpoints/${endpoint.id}`).set(as(admin)).send({ url: 'https://10.0.0.1/x' });
    expect(patched.status).toBe(400);
    expect(await count()).toBe(before + 1);
  });

  it('asks for an admin: no token is 401, a member is 403', async () => {
    expect((await request(app).get('/v1/webhook-endpoints').set('Host', host())).status).toBe(401);
    const member = await h.token(acme, 'usr_member', ['member']);
    expect((await request(app).get('/v1/webhook-endpoints').set(as(member))).status).toBe(403);
    expect(
      (
        await request(app)
          .post('/v1/webhook-endpoints')
          .set(as(member))
          .send({ url: receiver.url, events: ['user.created'] })
      ).status,
    ).toBe(403);
  });

  it('answers another tenant’s endpoint and delivery ids exactly like missing ones, changing nothing', async () => {
    const { endpoint } = await create();
    const before = receiver.received.length;
    const tested = await request(app).post(`/v1/webhook-endpoints/${endpoint.id}/test`).set(as(admin));
    expect(tested.status).toBe(202);
    const eventId = (tested.body as { eventId: string }).eventId;
    await nextHook(before);
    let page = await deliveriesOf(endpoint.id);
    for (let i = 0; i < 40 && page.deliveries.length === 0; i++) {
      await sleep(50);
      page = await deliveriesOf(endpoint.id);
    }
    const deliveryId = page.deliveries[0]?.id ?? '';
    const missingEndpoint = 'whe_01jd3x0000000000000000000a';
    const missingDelivery = 'whd_01jd3x0000000000000000000a';
    const g = as(globexAdmin, `${globex}.localhost`);
    const calls = (e: string, d: string) => [
      request(app).get(`/v1/webhook-endpoints/${e}`).set(g),
      request(app).patch(`/v1/webhook-endpoints/${e}`).set(g).send({ status: 'disabled' }),
      request(app).post(`/v1/webhook-endpoints/${e}/rotate-secret`).set(g),
      request(app).post(`/v1/webhook-endpoints/${e}/test`).set(g),
      request(app).get(`/v1/webhook-endpoints/${e}/deliveries`).set(g),
      request(app).post(`/v1/webhook-deliveries/${d}/replay`).set(g),
      request(app).delete(`/v1/webhook-endpoints/${e}`).set(g),
    ];
    const foreign = await Promise.all(calls(endpoint.id, deliveryId));
    const missing = await Promise.all(calls(missingEndpoint, missingDelivery));
    const answer = (r: { status: number; body: unknown }) => {
      const problem = problemSchema.parse(r.body);
      return [r.status, problem.code, problem.detail];
    };
    expect(foreign.map(answer)).toEqual(missing.map(answer));
    expect(foreign.every((r) => r.status === 404)).toBe(true);
    const list = await request(app).get('/v1/webhook-endpoints').set(g);
    expect(JSON.stringify(list.body)).not.toContain(endpoint.id);
    const still = await request(app).get(`/v1/webhook-endpoints/${endpoint.id}`).set(as(admin));
    expect(webhookEndpointSchema.parse(still.body)).toEqual(endpoint);
    await sleep(500);
    // The foreign test and replay sent nothing: this event arrived once (other tests' late retries may arrive meanwhile).
    expect(receiver.received.filter((r) => r.headers['webhook-id'] === eventId)).toHaveLength(1);
  });
});
