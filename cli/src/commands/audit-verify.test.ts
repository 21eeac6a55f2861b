import pg from 'pg';
import { purgeExpiredAuditLogs } from '@mindbot/audit';
import { TenantClients } from '@mindbot/db';
import { newId } from '@mindbot/ids';
import { createLogger } from '@mindbot/logger';
import { schemaNameOf } from '@mindbot/tenancy';
import { createTestDatabase, testManifest, uniqueSlug, type TestDatabase } from '@mindbot/testing';
import { loadCliConfig } from '../config.js';
import { openContext, type CliContext } from '../context.js';
import { runCli } from '../program.js';
import { tenantProvision } from './tenant-provision.js';

// `mindbot audit verify <tenant>`: the tamper-evidence check an auditor runs.
describe('mindbot audit verify', () => {
  let database: TestDatabase;
  let context: CliContext;
  let tenants: TenantClients;
  const slug = uniqueSlug('verify');

  beforeAll(async () => {
    database = await createTestDatabase();
    context = await openContext(loadCliConfig({ DATABASE_URL: database.url, MINDBOT_REGION: 'eu-west' }));
    expect(await tenantProvision(context, [testManifest(slug)], () => undefined)).toBe(0);
    tenants = new TenantClients(context.pool);
    for (const action of ['user.invited', 'user.role_granted', 'api_key.created'])
      await tenants.forTenant(slug).transaction((tx) => tx.auditEvent.create({ data: { id: newId('audit'), action, data: {} } }));
  }, 60_000);
  afterAll(async () => {
    await tenants.close();
    await context.close();
    await database.dispose();
  });

  async function run(...args: string[]) {
    return runAudit('verify', ...args);
  }
  async function runAudit(command: string, ...args: string[]) {
    const out: string[] = [];
    const err: string[] = [];
    const code = await runCli(['audit', command, ...args], {
      out: (l) => out.push(l),
      err: (l) => err.push(l),
      env: { DATABASE_URL: database.url, MINDBOT_REGION: 'eu-west' },
    });
    return { code, out: out.join('\n'), err: err.join('\n') };
  }

  it('says every link holds, then names the entry someone changed behind the platform’s back', async () => {
    const intact = await run(slug);
    expect(intact.code).toBe(0);
    expect(intact.out).toMatch(new RegExp(`^${slug}: 3 audit entries, every link holds; head 3 [0-9a-f]{64}$`));

    const db = new pg.Client({ connectionString: database.url });
    await db.connect();
    try {
      const table = `${schemaNameOf(slug)}.audit_log`;
      await db.query(`ALTER TABLE ${table} DISABLE TRIGGER audit_log_append_only`);
      await db.query(`UPDATE ${table} SET actor_id = 'usr_innocent' WHERE seq = 2`);
      await db.query(`ALTER TABLE ${table} ENABLE TRIGGER audit_log_append_only`);
    } finally {
      await db.end();
    }
    const broken = await run(slug);
    expect(broken.code).toBe(1);
    expect(broken.err).toContain(`${slug}: the audit chain is broken at entry 2`);
    expect(broken.err).toContain('does not match its hash');
  });

  it('refuses a tenant whose data is not here', async () => {
    const unknown = await run('nobody-here');
    expect(unknown.code).toBe(1);
    expect(unknown.err).toContain('No tenant "nobody-here"');
  });

  it('sets a tenant’s retention (30 to 3650 days); after the purge, verify says from which entry the chain is kept', async () => {
    expect(await runAudit('retention', slug, '12')).toMatchObject({ code: 1, err: expect.stringContaining('from 30 to 3650') });
    expect(await runAudit('retention', 'nobody-here', '90')).toMatchObject({ code: 1, err: expect.stringContaining('No tenant') });
    expect(await runAudit('retention', slug, '30')).toMatchObject({
      code: 0,
      out: `${slug}: audit entries are kept for 30 days (older ones are removed by the daily purge).`,
    });
    expect(await context.platform.tenantAuditSetting.findUnique({ where: { slug } })).toMatchObject({
      retentionDays: 30,
      updatedBy: 'cli',
    });
    // An entry from before the retention, then the daily job.
    await tenants.forTenant(slug).transaction((tx) =>
      tx.auditEvent.create({
        data: { id: newId('audit'), action: 'old.entry', data: {}, createdAt: new Date(Date.now() - 40 * 86_400_000) },
      }),
    );
    const logger = createLogger({ name: 'cli-test', level: 'silent' });
    const purged = await purgeExpiredAuditLogs({
      platform: context.platform,
      tenants,
      logger,
      region: 'eu-west',
      now: () => new Date(Date.now() + 31 * 86_400_000),
    });
    expect(purged.find((p) => p.tenant === slug)).toEqual({ tenant: slug, retentionDays: 30, removed: 4 });
    const verified = await run(slug);
    expect(verified.err).toBe('');
    expect(verified.code).toBe(0);
    expect(verified.out).toMatch(/every link holds; head \d+ [0-9a-f]{64}; kept from entry \d+ \(older ones removed by retention\)$/);
  });
});
