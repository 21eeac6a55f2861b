import { createPlatformClient, createPool, MigrationRunner, type PlatformClient, type Pool } from '@mindbot/db';
import { TenantProvisioner } from '@mindbot/provisioning';
import { PLAN_DEFAULTS } from '@mindbot/tenancy';
import { captureLogger, createTestDatabase, testManifest, uniqueSlug, type TestDatabase } from '@mindbot/testing';
import { PgListener } from './pg-listener.js';
import { TenantRegistry } from './tenant-registry.js';
import type { TenantRecord } from './tenant-record.js';

/** Milliseconds until `check` holds; fails after `timeoutMs`. */
async function within(timeoutMs: number, check: () => Promise<boolean>): Promise<number> {
  const started = Date.now();
  for (;;) {
    if (await check()) return Date.now() - started;
    if (Date.now() - started > timeoutMs) throw new Error(`condition not met within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

describe('TenantRegistry: one cached reader of the tenant registry, kept current by Postgres notifications', () => {
  let database: TestDatabase;
  let pool: Pool;
  let platform: PlatformClient;
  let provisioner: TenantProvisioner;
  let listener: PgListener;
  let registry: TenantRegistry;
  let queries = 0;

  beforeAll(async () => {
    database = await createTestDatabase();
    pool = createPool(database.url, { max: 4, applicationName: 'tenant-registry-test' });
    platform = createPlatformClient(pool);
    const migrations = await MigrationRunner.load(pool);
    await migrations.migrate({ kind: 'platform', schema: 'platform' });
    provisioner = new TenantProvisioner({ pool, platform, migrations, region: 'eu-west', actor: 'test' });
    listener = new PgListener(database.url, captureLogger('registry').logger, 'mindbot-registry-test-listener');
    // A TTL far longer than the test: only a notification can explain an answer that changed.
    registry = new TenantRegistry(countingQueries(platform), listener, { region: 'eu-west', ttlMs: 600_000 });
    await registry.ready();
  });

  afterAll(async () => {
    await listener.close();
    await platform.$disconnect();
    await pool.end();
    await database.dispose();
  });

  /** Counts the registry's reads of tenant rows, to show a cached answer made no query. */
  function countingQueries(client: PlatformClient): PlatformClient {
    const tenant = client.tenant;
    const counted = new Proxy(tenant, {
      get(target, key, receiver) {
        if (key === 'findUnique') queries += 1;
        return Reflect.get(target, key, receiver) as unknown;
      },
    });
    return new Proxy(client, {
      get: (target, key, receiver) => (key === 'tenant' ? counted : (Reflect.get(target, key, receiver) as unknown)),
    });
  }

  it('sees a suspension within a second, though its cached answer would live ten minutes', async () => {
    const slug = uniqueSlug('susp');
    await provisioner.provision(testManifest(slug));
    expect((await registry.bySlug(slug))?.status).toBe('active');
    // Once the provisioning's own notification has passed, the answer is served from the cache.
    await within(1_000, async () => {
      const before = queries;
      return (await registry.bySlug(slug))?.status === 'active' && queries === before;
    });

    await provisioner.provision(testManifest(slug, { suspended: true }));
    const seenAfter = await within(1_000, async () => (await registry.bySlug(slug))?.suspended === true);
    expect(seenAfter).toBeLessThan(1_000);
    await expect(registry.servedBySlug(slug)).rejects.toMatchObject({ code: 'tenant_suspended', status: 403 });
  });

  it('sees a changed plan value within a second', async () => {
    const slug = uniqueSlug('plan');
    const manifest = testManifest(slug);
    manifest.spec.plan.concurrentSessions = 3;
    await provisioner.provision(manifest);
    expect((await registry.bySlug(slug))?.limits.concurrentSessions).toBe(3);

    manifest.spec.plan.concurrentSessions = 7;
    await provisioner.provision(manifest);
    await within(1_000, async () => (await registry.bySlug(slug))?.limits.concurrentSessions === 7);
  });

  it('takes the manifest’s defaults for a row written before a limit or setting existed', async () => {
    const slug = uniqueSlug('old');
    await provisioner.provision(testManifest(slug));
    await pool.query(`UPDATE platform.tenants SET limits = '{}', billing = '{}', sso = '{}' WHERE slug = $1`, [slug]);
    let record: TenantRecord | null = null;
    await within(1_000, async () => {
      record = await registry.bySlug(slug);
      return record?.limits.concurrentSessions === PLAN_DEFAULTS.concurrentSessions;
    });
    expect(record).toMatchObject({
      limits: { requestsPerMinute: 600, concurrentSessions: 10, agentPool: 'dedicated' },
      billing: { currency: 'usd', platformFeePercent: 10 },
      sso: { passwordLogin: true, jitProvisioning: true },
    });
  });

  it('finds a tenant by platform host and by its own domain, and serves a domain added later within a second', async () => {
    const slug = uniqueSlug('host');
    await provisioner.provision(testManifest(slug, { domains: [`voice.${slug}.example`] }));
    expect((await registry.byHost(`${slug}.mindbot.test`, 'mindbot.test'))?.slug).toBe(slug);
    expect((await registry.byHost(`${slug}.eu-west.mindbot.test`, 'mindbot.test'))?.slug).toBe(slug);
    expect((await registry.byHost(`voice.${slug}.example`, 'mindbot.test'))?.slug).toBe(slug);

    const later = `chat.${slug}.example`;
    expect(await registry.byHost(later, 'mindbot.test')).toBeNull();
    await provisioner.provision(testManifest(slug, { domains: [`voice.${slug}.example`, later] }));
    await within(1_000, async () => (await registry.byHost(later, 'mindbot.test'))?.slug === slug);
  });

  it('answers null for what is not a slug, without a query', async () => {
    const before = queries;
    expect(await registry.bySlug('NOT a slug')).toBeNull();
    expect(await registry.bySlug('x')).toBeNull();
    expect(queries).toBe(before);
    await expect(registry.servedBySlug('NOT a slug')).rejects.toMatchObject({ code: 'not_found', status: 404 });
  });

  it('keeps invalidating after its connection is killed: it reconnects and drops what it held', async () => {
    const slug = uniqueSlug('kill');
    await provisioner.provision(testManifest(slug));
    expect((await registry.bySlug(slug))?.suspended).toBe(false);
    await pool.query(
      "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = 'mindbot-registry-test-listener' AND datname = current_database()",
    );
    await within(10_000, () => Promise.resolve(!listener.connected));
    await within(10_000, () => Promise.resolve(listener.connected));
    await provisioner.provision(testManifest(slug, { suspended: true }));
    await within(1_000, async () => (await registry.bySlug(slug))?.suspended === true);
  });
});
