import { createPlatformClient, createPool, MigrationRunner, TenantClients, type PlatformClient, type Pool } from '@mindbot/db';
import { createMailer } from '@mindbot/mailer';
import { TenantProvisioner } from '@mindbot/provisioning';
import { TenantRegistry } from '@mindbot/tenant-registry';
import {
  captureLogger,
  createTestDatabase,
  startSmtpServer,
  testManifest,
  uniqueSlug,
  type TestDatabase,
  type TestSmtpServer,
} from '@mindbot/testing';
import { registryBrands } from './registry-brands.js';
import { mailWebhookNotices } from './webhook-disabled-notices.js';

describe('the webhook endpoint-disabled notice', () => {
  let database: TestDatabase;
  let pool: Pool;
  let platform: PlatformClient;
  let tenants: TenantClients;
  let smtp: TestSmtpServer;
  let acme: string;
  let globex: string;

  beforeAll(async () => {
    database = await createTestDatabase();
    pool = createPool(database.url, { max: 4, applicationName: 'notices-test' });
    platform = createPlatformClient(pool);
    const migrations = await MigrationRunner.load(pool);
    await migrations.migrate({ kind: 'platform', schema: 'platform' });
    const provisioner = new TenantProvisioner({ pool, platform, migrations, region: 'eu-west', actor: 'test' });
    acme = uniqueSlug('notice-acme');
    globex = uniqueSlug('notice-globex');
    await provisioner.provision(testManifest(acme, { displayName: 'Acme Voice' }));
    await provisioner.provision(testManifest(globex));
    tenants = new TenantClients(pool);
    smtp = await startSmtpServer();
    const people: [string, string, string, 'active' | 'disabled'][] = [
      [acme, 'usr_owner', 'owner', 'active'],
      [acme, 'usr_admin', 'admin', 'active'],
      [acme, 'usr_member', 'member', 'active'],
      [acme, 'usr_gone', 'admin', 'disabled'],
      [globex, 'usr_other_admin', 'admin', 'active'],
    ];
    for (const [tenant, id, role, status] of people) {
      await tenants.forTenant(tenant).transaction(async (tx) => {
        await tx.user.create({ data: { id, email: `${id.replace('_', '-')}@${tenant}.example`, status } });
        const { id: roleId } = await tx.role.findUniqueOrThrow({ where: { name: role } });
        await tx.userRole.create({ data: { userId: id, roleId } });
      });
    }
  }, 60_000);

  afterAll(async () => {
    await tenants.close();
    await platform.$disconnect();
    await pool.end();
    await database.dispose();
    await smtp.stop();
  }, 60_000);

  it("mails the tenant's active owners and admins, in its name, with the endpoint and the reason, and nobody else", async () => {
    const log = captureLogger('notices');
    const notices = mailWebhookNotices({
      tenants,
      mailer: createMailer({ smtpUrl: smtp.url, from: 'no-reply@mindbot.test' }, log.logger),
      brands: registryBrands(new TenantRegistry(platform, undefined, { region: 'eu-west' }), (t) => `https://${t.slug}.example`),
      logger: log.logger,
    });
    await notices({ tenant: acme, endpointId: 'whe_1', url: 'https://hooks.acme.example/in', reason: 'failing for 3 days (503)' });

    expect(
      smtp.messages
        .map((m) => m.to)
        .flat()
        .sort(),
    ).toEqual([`usr-admin@${acme}.example`, `usr-owner@${acme}.example`]);
    const mail = await smtp.waitFor(`usr-owner@${acme}.example`);
    expect(mail.from.name).toBe('Acme Voice');
    expect(mail.subject).toBe('A Acme Voice webhook endpoint was disabled');
    expect(mail.text).toContain('Deliveries to https://hooks.acme.example/in kept failing');
    expect(mail.text).toContain('Reason: failing for 3 days (503)');
    expect(mail.text).toContain(`Open the console https://${acme}.example/console/`);
    // The log line stays, for operators.
    expect(log.lines.some((l) => l.msg === 'webhook endpoint disabled' && l.endpointId === 'whe_1')).toBe(true);
  });
});
