import { Webhook } from 'standardwebhooks';
import { PgBoss } from 'pg-boss';
import { Registry } from 'prom-client';
import { createPlatformClient, createPool, MigrationRunner, TenantClients, type PlatformClient, type Pool } from '@mindbot/db';
import { TenantProvisioner } from '@mindbot/provisioning';
import { PgListener } from '@mindbot/tenant-registry';
import { captureLogger, createTestDatabase, testManifest, uniqueSlug, type TestDatabase } from '@mindbot/testing';
import { jobIdOf } from '../job-id.js';
import { OutboxRelay } from '../outbox-relay.js';
import { registerJobMetrics } from '../jobs-metrics.js';
import { Jobs, JOBS_SCHEMA, type JobsOptions } from '../jobs-runtime.js';
import { startWebhookReceiver, type WebhookReceiver } from '../testing/webhook-receiver.js';
import { emitWebhookEvent, WEBHOOK_DELIVERY_QUEUE } from './webhook-events.js';
import { newWebhookId } from './webhook-ids.js';
import { newWebhookSecret } from './webhook-signature.js';
import { WebhookSecrets } from './webhook-secrets.js';
import { randomBytes } from 'node:crypto';

/** Key-encryption keys as WEBHOOK_SECRET_KEYS gives them: secrets are sealed at rest in these tests. */
const secrets = new WebhookSecrets([{ kid: 'k1', key: randomBytes(32) }]);

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

interface World {
  database: TestDatabase;
  pool: Pool;
  platform: PlatformClient;
  tenants: TenantClients;
  listener: PgListener;
  provisioner: TenantProvisioner;
  log: ReturnType<typeof captureLogger>;
  jobsOptions(overrides?: Partial<JobsOptions>): JobsOptions;
  close(): Promise<void>;
}

async function startWorld(): Promise<World> {
  const database = await createTestDatabase();
  const pool = createPool(database.url, { max: 8, applicationName: 'jobs-test' });
  const platform = createPlatformClient(pool);
  const migrations = await MigrationRunner.load(pool);
  await migrations.migrate({ kind: 'platform', schema: 'platform' });
  const provisioner = new TenantProvisioner({ pool, platform, migrations, region: 'eu-west', actor: 'test' });
  const tenants = new TenantClients(pool);
  const log = captureLogger('jobs');
  const listener = new PgListener(database.url, log.logger, 'jobs-test-listener');
  await listener.start();
  return {
    database,
    pool,
    platform,
    tenants,
    listener,
    provisioner,
    log,
    jobsOptions: (overrides = {}) => ({
      connectionString: database.url,
      tenants,
      platform,
      listener,
      logger: log.logger,
      webhooks: {
        allowPrivateTargets: true,
        timeoutMs: 400,
        notices: () => Promise.resolve(),
        secrets,
        attempts: metrics.webhookDeliveries,
      },
      // Immediate retries, and few: the three-day schedule is the production default, not a test's.
      webhookQueue: { retryLimit: 3, retryDelay: 0, retryBackoff: false },
      pollingIntervalSeconds: 0.5,
      ...overrides,
    }),
    async close() {
      await listener.close();
      await tenants.close();
      await platform.$disconnect();
      await pool.end();
      await database.dispose();
    },
  };
}

// The job component's series, as the gateway's /metrics shows them.
const registry = new Registry();
let jobsForMetrics: Jobs | undefined;
const metrics = registerJobMetrics(registry, () => jobsForMetrics?.queueCounts() ?? Promise.reject(new Error('no jobs yet')));
const attemptsBy = async (outcome: string) =>
  (await metrics.webhookDeliveries.get()).values.find((v) => v.labels.outcome === outcome)?.value ?? 0;

describe('durable jobs and signed webhook deliveries', () => {
  let w: World;
  let jobs: Jobs | undefined;
  let acme: string;
  let globex: string;
  const receivers: WebhookReceiver[] = [];

  beforeAll(async () => {
    w = await startWorld();
    acme = uniqueSlug('acme');
    globex = uniqueSlug('globex');
    await w.provisioner.provision(testManifest(acme));
    await w.provisioner.provision(testManifest(globex));
  });

  afterAll(async () => {
    await jobs?.stop();
    for (const r of receivers) await r.close();
    await w.close();
  });

  const receiver = async (...args: Parameters<typeof startWebhookReceiver>) => {
    const r = await startWebhookReceiver(...args);
    receivers.push(r);
    return r;
  };
  const endpoint = async (tenant: string, url: string, events = ['user.created']) => {
    const secret = newWebhookSecret();
    const id = newWebhookId('endpoint');
    await w.tenants
      .forTenant(tenant)
      .transaction((tx) =>
        tx.webhookEndpoint.create({ data: { id, url, events, secret: secrets.seal(tenant, id, secret), createdBy: 'usr_admin' } }),
      );
    return { id, secret };
  };
  const userCreated = (tenant: string, userId: string) =>
    w.tenants
      .forTenant(tenant)
      .transaction((tx) =>
        emitWebhookEvent(tx, { type: 'user.created', data: { userId, email: `${userId}@example.com`, roles: ['member'] } }),
      );
  const deliveries = (tenant: string, endpointId: string) =>
    w.tenants.forTenant(tenant).transaction((tx) => tx.webhookDelivery.findMany({ where: { endpointId }, orderBy: { id: 'asc' } }));

  it('keeps an event committed while no relay runs, and delivers it once when one starts, even after a relay died half-way', async () => {
    const r = await receiver();
    const { id: endpointId } = await endpoint(acme, r.url);
    const eventId = await userCreated(acme, 'usr_before_relay');
    expect(eventId).toMatch(/^evt_/);
    const outbox = await w.tenants.forTenant(acme).transaction((tx) => tx.outboxEvent.findMany());
    expect(outbox).toHaveLength(1);
    expect(outbox[0]?.relayedAt).toBeNull();

    // A relay that queued the row and died before marking it relayed: the job exists, the row is still unrelayed.
    const crashed = new PgBoss({ connectionString: w.database.url, schema: JOBS_SCHEMA });
    crashed.on('error', () => undefined);
    await crashed.start();
    await crashed.createQueue(WEBHOOK_DELIVERY_QUEUE, { policy: 'key_strict_fifo', retryLimit: 3, retryDelay: 0 });
    const row = outbox[0];
    if (!row) throw new Error('no outbox row');
    await crashed.send(
      WEBHOOK_DELIVERY_QUEUE,
      { tenant: acme, outboxId: String(row.id), payload: row.payload },
      { id: jobIdOf(w.tenants.forTenant(acme).schema, row.id), singletonKey: `${acme}:${endpointId}` },
    );
    await crashed.stop({ graceful: false });
    expect(r.received).toHaveLength(0);

    jobs = new Jobs(w.jobsOptions());
    jobsForMetrics = jobs;
    await jobs.start();
    const [hook] = await r.waitFor(1);
    expect(hook?.headers['webhook-id']).toBe(eventId);
    await sleep(1_500);
    expect(r.received).toHaveLength(1);
    const relayed = await w.tenants.forTenant(acme).transaction((tx) => tx.outboxEvent.findMany());
    expect(relayed.every((o) => o.relayedAt !== null)).toBe(true);
    expect(await deliveries(acme, endpointId)).toEqual([
      expect.objectContaining({ eventId, attempt: 1, status: 'succeeded', responseStatus: 204 }),
    ]);
  });

  it('signs each delivery to the Standard Webhooks scheme, verifiable with the endpoint secret by an independent implementation', async () => {
    const r = await receiver();
    const { id: endpointId, secret } = await endpoint(acme, r.url);
    const stored = await w.tenants.forTenant(acme).transaction((tx) => tx.webhookEndpoint.findUniqueOrThrow({ where: { id: endpointId } }));
    expect(stored.secret).not.toContain(secret.slice(6));
    const eventId = await userCreated(acme, 'usr_signed');
    const [hook] = await r.waitFor(1);
    if (!hook) throw new Error('nothing received');
    const verified = new Webhook(secret).verify(hook.body, {
      'webhook-id': String(hook.headers['webhook-id']),
      'webhook-timestamp': String(hook.headers['webhook-timestamp']),
      'webhook-signature': String(hook.headers['webhook-signature']),
    });
    expect(verified).toMatchObject({
      id: eventId,
      type: 'user.created',
      data: { userId: 'usr_signed', email: 'usr_signed@example.com', roles: ['member'] },
    });
    expect(hook.headers['content-type']).toBe('application/json');
    expect(() => new Webhook(newWebhookSecret()).verify(hook.body, hook.headers as Record<string, string>)).toThrow();
  });

  it('retries after 500s and after a timeout until the receiver accepts, with the same webhook-id, each attempt in the log', async () => {
    const r = await receiver((n) => (n === 1 ? 500 : n === 2 ? 'hang' : 200));
    const before = { failed: await attemptsBy('failed'), succeeded: await attemptsBy('succeeded') };
    const { id: endpointId } = await endpoint(acme, r.url);
    const eventId = await userCreated(acme, 'usr_retried');
    const hooks = await r.waitFor(3);
    expect(new Set(hooks.map((h) => h.headers['webhook-id']))).toEqual(new Set([eventId]));
    let log = await deliveries(acme, endpointId);
    for (let i = 0; i < 40 && log.length < 3; i++) {
      await sleep(50);
      log = await deliveries(acme, endpointId);
    }
    expect(log.map((d) => [d.attempt, d.status, d.responseStatus])).toEqual([
      [1, 'failed', 500],
      [2, 'failed', null],
      [3, 'succeeded', 200],
    ]);
    expect(log[1]?.error).toMatch(/no answer within 400 ms/);
    const endpointRow = await w.tenants
      .forTenant(acme)
      .transaction((tx) => tx.webhookEndpoint.findUniqueOrThrow({ where: { id: endpointId } }));
    expect(endpointRow).toMatchObject({ status: 'active', failureStreak: 0, failingSince: null });
    // What /metrics shows: at least these two failed attempts and the one that succeeded (other tests'
    // deliveries may still land meanwhile), and the delivery queue's backlog.
    expect((await attemptsBy('failed')) - before.failed).toBeGreaterThanOrEqual(2);
    expect((await attemptsBy('succeeded')) - before.succeeded).toBeGreaterThanOrEqual(1);
    expect(await registry.metrics()).toMatch(/^mindbot_jobs_queued\{queue="webhooks\.deliver"\} \d+$/m);
  });

  it('delivers the events of one endpoint in the order they happened, a failing one holding back the next', async () => {
    const r = await receiver((n) => (n === 1 ? 503 : 204));
    await endpoint(acme, r.url);
    const ids: (string | null)[] = [];
    for (let i = 0; i < 5; i++) ids.push(await userCreated(acme, `usr_order_${i}`));
    const hooks = await r.waitFor(6);
    const order = hooks.map((h) => h.headers['webhook-id']);
    expect(order).toEqual([ids[0], ...ids]);
  });

  it('disables an endpoint that keeps failing past the limit, with a reason and an audit entry, and sends it nothing more', async () => {
    const r = await receiver(() => 500);
    const disabledBefore = await attemptsBy('disabled');
    const { id: endpointId } = await endpoint(acme, r.url);
    await userCreated(acme, 'usr_doomed');
    await r.waitFor(4);
    let row = await w.tenants.forTenant(acme).transaction((tx) => tx.webhookEndpoint.findUniqueOrThrow({ where: { id: endpointId } }));
    for (let i = 0; i < 40 && row.status !== 'disabled'; i++) {
      await sleep(50);
      row = await w.tenants.forTenant(acme).transaction((tx) => tx.webhookEndpoint.findUniqueOrThrow({ where: { id: endpointId } }));
    }
    expect(row.status).toBe('disabled');
    expect(row.disabledReason).toMatch(/every attempt to deliver evt_\w+ failed \(last: answered 500\)/);
    expect(row.failureStreak).toBe(4);
    const audit = await w.tenants
      .forTenant(acme)
      .transaction((tx) => tx.auditEvent.findMany({ where: { action: 'webhook_endpoint.disabled', target: endpointId } }));
    expect(audit).toHaveLength(1);
    expect((await deliveries(acme, endpointId)).map((d) => d.status)).toEqual(['failed', 'failed', 'failed', 'failed']);
    expect((await attemptsBy('disabled')) - disabledBefore).toBe(1);

    await userCreated(acme, 'usr_after_disable');
    await sleep(1_000);
    expect(r.received).toHaveLength(4);
  });

  it('never sends one tenant’s events to another tenant’s endpoint', async () => {
    const mine = await receiver();
    const theirs = await receiver();
    await endpoint(acme, mine.url);
    await endpoint(globex, theirs.url);
    const eventId = await userCreated(acme, 'usr_private');
    await mine.waitFor(1);
    await sleep(1_000);
    expect(theirs.received).toHaveLength(0);
    expect(mine.received.map((h) => h.headers['webhook-id'])).toEqual([eventId]);
    const globexEvents = await w.tenants.forTenant(globex).transaction((tx) => tx.webhookEvent.count());
    expect(globexEvents).toBe(0);
  });

  it('never delivers an event emitted in a transaction that rolled back', async () => {
    const r = await receiver();
    await endpoint(acme, r.url, ['balance.low']);
    await expect(
      w.tenants.forTenant(acme).transaction(async (tx) => {
        await emitWebhookEvent(tx, {
          type: 'balance.low',
          data: { userId: 'usr_rolled_back', secondsAvailable: 10, thresholdSeconds: 60 },
        });
        throw new Error('the change failed');
      }),
    ).rejects.toThrow('the change failed');
    const kept = await w.tenants
      .forTenant(acme)
      .transaction((tx) =>
        emitWebhookEvent(tx, { type: 'balance.low', data: { userId: 'usr_kept', secondsAvailable: 10, thresholdSeconds: 60 } }),
      );
    const [hook] = await r.waitFor(1);
    await sleep(1_000);
    expect(r.received).toHaveLength(1);
    expect(hook?.headers['webhook-id']).toBe(kept);
    expect(JSON.parse(hook?.body ?? '{}')).toMatchObject({ data: { userId: 'usr_kept' } });
  });

  it('makes one job per event, in order, when two relays (two gateways) wake up at once', async () => {
    if (!jobs) throw new Error('jobs not started');
    const second = new OutboxRelay({
      boss: jobs.boss,
      tenants: w.tenants,
      platform: w.platform,
      listener: w.listener,
      logger: w.log.logger,
      queues: { [WEBHOOK_DELIVERY_QUEUE]: {} },
    });
    await second.start();
    try {
      const r = await receiver();
      await endpoint(globex, r.url);
      const ids: (string | null)[] = [];
      for (let i = 0; i < 5; i++) ids.push(await userCreated(globex, `usr_two_relays_${i}`));
      await r.waitFor(5);
      await sleep(1_000);
      expect(r.received.map((h) => h.headers['webhook-id'])).toEqual(ids);
    } finally {
      await second.stop();
    }
  });

  it('refuses to emit an event whose data does not match its schema', async () => {
    await expect(
      w.tenants
        .forTenant(acme)
        .transaction((tx) =>
          emitWebhookEvent(tx, { type: 'balance.low', data: { userId: 'usr_x', secondsAvailable: -1, thresholdSeconds: 60 } }),
        ),
    ).rejects.toThrow();
  });
});

describe('webhook targets at delivery time', () => {
  let w: World;
  let jobs: Jobs;
  let slug: string;
  let r: WebhookReceiver;

  beforeAll(async () => {
    w = await startWorld();
    slug = uniqueSlug('ssrf');
    await w.provisioner.provision(testManifest(slug));
    r = await startWebhookReceiver();
    // Production policy: no private targets. The endpoint was stored when a name still looked public.
    jobs = new Jobs(w.jobsOptions({ webhooks: { allowPrivateTargets: false, timeoutMs: 400, notices: () => Promise.resolve() } }));
    await jobs.start();
  });

  afterAll(async () => {
    await jobs.stop();
    await r.close();
    await w.close();
  });

  it('refuses to connect to a name that resolves to loopback, records why, and the receiver gets nothing', async () => {
    const port = new URL(r.url).port;
    const endpointId = newWebhookId('endpoint');
    await w.tenants.forTenant(slug).transaction((tx) =>
      tx.webhookEndpoint.create({
        data: {
          id: endpointId,
          url: `https://localhost:${port}/hooks`,
          events: ['user.created'],
          secret: newWebhookSecret(),
          createdBy: 'usr_a',
        },
      }),
    );
    await w.tenants
      .forTenant(slug)
      .transaction((tx) => emitWebhookEvent(tx, { type: 'user.created', data: { userId: 'usr_s', email: 's@example.com', roles: [] } }));
    let log: { status: string; error: string | null }[] = [];
    for (let i = 0; i < 100 && log.length === 0; i++) {
      await sleep(50);
      log = await w.tenants.forTenant(slug).transaction((tx) => tx.webhookDelivery.findMany({ where: { endpointId } }));
    }
    expect(log[0]).toMatchObject({ status: 'failed' });
    expect(log[0]?.error).toMatch(/target refused: localhost resolves to (127\.0\.0\.1|::1) \(loopback\)/);
    expect(r.received).toHaveLength(0);
  });
});
