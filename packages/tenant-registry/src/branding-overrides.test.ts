import { createPlatformClient, createPool, MigrationRunner, type PlatformClient, type Pool } from '@mindbot/db';
import { TenantProvisioner } from '@mindbot/provisioning';
import { BRANDING_DEFAULTS, type TenantManifest } from '@mindbot/tenancy';
import { captureLogger, createTestDatabase, testManifest, uniqueSlug, type TestDatabase } from '@mindbot/testing';
import { BrandingOverrides } from './branding-overrides.js';
import { PgListener } from './pg-listener.js';
import { TenantRegistry } from './tenant-registry.js';

async function within(timeoutMs: number, check: () => Promise<boolean>): Promise<void> {
  const started = Date.now();
  while (!(await check())) {
    if (Date.now() - started > timeoutMs) throw new Error(`condition not met within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

/** A manifest that leaves the greeting, the primary colour and the voice to the console. */
function consoleEditable(slug: string): TenantManifest {
  const manifest = testManifest(slug);
  delete manifest.spec.branding.greeting;
  delete manifest.spec.branding.primaryColor;
  delete manifest.spec.agent.voice;
  return manifest;
}

describe('Branding edits beside the manifest (ADR 0055): manifest, else console, else default', () => {
  let database: TestDatabase;
  let pool: Pool;
  let platform: PlatformClient;
  let provisioner: TenantProvisioner;
  let listener: PgListener;
  let registry: TenantRegistry;
  let overrides: BrandingOverrides;

  beforeAll(async () => {
    database = await createTestDatabase();
    pool = createPool(database.url, { max: 4, applicationName: 'branding-overrides-test' });
    platform = createPlatformClient(pool);
    const migrations = await MigrationRunner.load(pool);
    await migrations.migrate({ kind: 'platform', schema: 'platform' });
    provisioner = new TenantProvisioner({ pool, platform, migrations, region: 'eu-west', actor: 'test' });
    listener = new PgListener(database.url, captureLogger('registry').logger, 'mindbot-branding-test-listener');
    // A TTL far longer than the test: only the save's notification can explain a changed answer.
    registry = new TenantRegistry(platform, listener, { region: 'eu-west', ttlMs: 600_000 });
    await registry.ready();
    overrides = new BrandingOverrides(platform);
  });

  afterAll(async () => {
    await listener.close();
    await platform.$disconnect();
    await pool.end();
    await database.dispose();
  });

  it('gives a setting the manifest leaves out the default, and a console save to every reader within a second', async () => {
    const slug = uniqueSlug('edit');
    await provisioner.provision(consoleEditable(slug));
    const before = await registry.bySlug(slug);
    expect(before?.branding).toMatchObject({
      greeting: BRANDING_DEFAULTS.greeting,
      primaryColor: BRANDING_DEFAULTS.primaryColor,
      agentName: 'Tess',
    });
    expect(before?.brandingSettings.managedBy).toMatchObject({ greeting: 'default', primaryColor: 'default', agentName: 'manifest' });

    const saved = await overrides.save(slug, { greeting: 'Welcome to Acme!', primaryColor: '#aa0011', voice: 'cedar' }, 'usr_admin');
    expect(saved).toMatchObject({ ok: true, value: { changed: ['primaryColor', 'greeting', 'voice'] } });

    await within(1_000, async () => (await registry.bySlug(slug))?.branding.greeting === 'Welcome to Acme!');
    const after = await registry.bySlug(slug);
    expect(after?.branding).toMatchObject({ primaryColor: '#aa0011', agentName: 'Tess' });
    expect(after?.agent.voice).toBe('cedar');
    expect(after?.brandingSettings.managedBy).toMatchObject({ greeting: 'console', primaryColor: 'console', voice: 'console' });
  });

  it('refuses a setting the manifest sets, naming it, and changes nothing', async () => {
    const slug = uniqueSlug('managed');
    await provisioner.provision(consoleEditable(slug));
    const refused = await overrides.save(slug, { greeting: 'Hi', agentName: 'Zed', logoUrl: null }, 'usr_admin');
    expect(refused).toEqual({ ok: false, failure: 'managed_by_manifest', fields: ['agentName', 'logoUrl'] });
    expect((await overrides.view(slug))?.settings).toMatchObject({ greeting: BRANDING_DEFAULTS.greeting, agentName: 'Tess' });
  });

  it('clears a console value back to the default with null', async () => {
    const slug = uniqueSlug('clear');
    await provisioner.provision(consoleEditable(slug));
    await overrides.save(slug, { greeting: 'Temporary greeting', primaryColor: '#010203' }, 'usr_admin');
    const cleared = await overrides.save(slug, { greeting: null }, 'usr_admin');
    expect(cleared.ok && cleared.value.view.settings).toMatchObject({ greeting: BRANDING_DEFAULTS.greeting, primaryColor: '#010203' });
    await within(1_000, async () => (await registry.bySlug(slug))?.branding.greeting === BRANDING_DEFAULTS.greeting);
    expect((await registry.bySlug(slug))?.brandingSettings.managedBy).toMatchObject({ greeting: 'default', primaryColor: 'console' });
  });

  it('keeps the console values through a re-provision of the same manifest and through a change to other fields', async () => {
    const slug = uniqueSlug('reconcile');
    const manifest = consoleEditable(slug);
    await provisioner.provision(manifest);
    await overrides.save(slug, { greeting: 'Kept through reconciles', primaryColor: '#123abc' }, 'usr_admin');
    expect((await provisioner.provision(manifest)).action).toBe('unchanged');
    manifest.spec.plan.concurrentSessions = 4;
    manifest.spec.branding.accentColor = '#0a0b0c';
    expect((await provisioner.provision(manifest)).action).toBe('updated');
    await within(1_000, async () => (await registry.bySlug(slug))?.limits.concurrentSessions === 4);
    expect((await registry.bySlug(slug))?.branding).toMatchObject({
      greeting: 'Kept through reconciles',
      primaryColor: '#123abc',
      accentColor: '#0a0b0c',
    });
    expect((await overrides.view(slug))?.managedBy).toMatchObject({
      greeting: 'console',
      primaryColor: 'console',
      accentColor: 'manifest',
    });
  });

  it('lets a manifest that starts setting a setting take it over for good: the console value is dropped, not revived later', async () => {
    const slug = uniqueSlug('takeover');
    const manifest = consoleEditable(slug);
    await provisioner.provision(manifest);
    await overrides.save(slug, { greeting: 'Console greeting', primaryColor: '#445566' }, 'usr_admin');

    manifest.spec.branding.greeting = 'GitOps greeting';
    await provisioner.provision(manifest);
    await within(1_000, async () => (await registry.bySlug(slug))?.branding.greeting === 'GitOps greeting');
    expect((await overrides.view(slug))?.managedBy).toMatchObject({ greeting: 'manifest', primaryColor: 'console' });
    expect(await overrides.save(slug, { greeting: 'Console again' }, 'usr_admin')).toMatchObject({ ok: false, fields: ['greeting'] });

    delete manifest.spec.branding.greeting;
    await provisioner.provision(manifest);
    await within(1_000, async () => (await registry.bySlug(slug))?.branding.greeting === BRANDING_DEFAULTS.greeting);
    expect((await overrides.view(slug))?.settings).toMatchObject({ greeting: BRANDING_DEFAULTS.greeting, primaryColor: '#445566' });
  });

  it('answers not_found for a tenant the registry does not hold, and writes nothing', async () => {
    expect(await overrides.save('no-such-tenant', { greeting: 'Hi' }, 'usr_admin')).toEqual({ ok: false, failure: 'not_found' });
    expect(await platform.tenantBrandingOverride.count({ where: { slug: 'no-such-tenant' } })).toBe(0);
  });
});
