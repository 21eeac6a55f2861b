import pg from 'pg';
import { TenantClients } from '@mindbot/db';
import { newId } from '@mindbot/ids';
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
    const out: string[] = [];
    const err: string[] = [];
    const code = await runCli(['audit', 'verify', ...args], {
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
});
