import { spawn } from 'node:child_process';
import { cp, mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { MIGRATIONS_DIR } from '@mindbot/db';
import { createTestDatabase, startStripeMock, uniqueSlug, type TestDatabase } from '@mindbot/testing';

const repoRoot = fileURLToPath(new URL('../../', import.meta.url));
const exampleAcme = join(repoRoot, 'examples/tenants/acme.yaml');

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

// Each test spawns the CLI (node + tsx) up to three times; on a loaded machine that takes seconds.
const SUBPROCESS_TEST_TIMEOUT_MS = 120_000;

describe('the mindbot CLI', () => {
  let database: TestDatabase;
  let work: string;

  beforeAll(async () => {
    database = await createTestDatabase();
  });
  afterAll(async () => {
    await database.dispose();
  });
  beforeEach(async () => {
    work = await mkdtemp(join(tmpdir(), 'mindbot-cli-'));
  });
  afterEach(async () => {
    await rm(work, { recursive: true, force: true });
  });

  function start(args: string[], env: Record<string, string> = {}) {
    return spawn(process.execPath, ['--import', 'tsx', join(repoRoot, 'cli/src/main.ts'), ...args], {
      cwd: repoRoot,
      env: { ...process.env, DATABASE_URL: database.url, MINDBOT_REGION: 'eu-west', ...env },
    });
  }

  function run(args: string[], env: Record<string, string> = {}): Promise<Run> {
    const child = start(args, env);
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    return new Promise((resolve) => child.on('close', (code) => resolve({ code, stdout, stderr })));
  }

  async function query<T extends pg.QueryResultRow>(sql: string, params: unknown[] = []): Promise<T[]> {
    const client = new pg.Client({ connectionString: database.url });
    await client.connect();
    try {
      return (await client.query<T>(sql, params)).rows;
    } finally {
      await client.end();
    }
  }

  async function manifestFile(slug: string, edit: (text: string) => string = (t) => t): Promise<string> {
    const { readFile } = await import('node:fs/promises');
    const file = join(work, `${slug}.yaml`);
    const text = (await readFile(exampleAcme, 'utf8'))
      .replace('name: acme', `name: ${slug}`)
      .replace('voice.acme.example', `voice.${slug}.example`);
    await writeFile(file, edit(text));
    return file;
  }

  it(
    'provisions tenants with a progress line each, then lists them',
    async () => {
      const slugs = [uniqueSlug('cli'), uniqueSlug('cli')];
      const files = await Promise.all(slugs.map((s) => manifestFile(s)));
      const provisioned = await run(['tenant', 'provision', ...files]);
      expect(provisioned.code).toBe(0);
      expect(provisioned.stderr).toMatch(
        /\[1\/2\] .*: created \(eu-west, \d+ migration\(s\)\) \d+ ms; billing: not configured \(STRIPE_SECRET_KEY is unset\)/,
      );
      expect(provisioned.stdout).toContain('2 tenant(s): 2 created, 0 updated, 0 unchanged, 0 failed.');

      const again = await run(['tenant', 'provision', ...files]);
      expect(again.stdout).toContain('0 created, 0 updated, 2 unchanged, 0 failed.');

      const listed = await run(['tenant', 'list', '--json']);
      const tenants = JSON.parse(listed.stdout) as { slug: string; status: string }[];
      expect(tenants.filter((t) => slugs.includes(t.slug)).map((t) => t.status)).toEqual(['active', 'active']);
    },
    SUBPROCESS_TEST_TIMEOUT_MS,
  );

  it(
    'refuses an invalid manifest with every problem by field path, provisioning none of the files',
    async () => {
      const good = await manifestFile(uniqueSlug('good'));
      const bad = await manifestFile(uniqueSlug('bad'), (t) =>
        t.replace('region: eu-west', 'region: moon-base').replace('"#0b5fff"', 'blue'),
      );
      const result = await run(['tenant', 'provision', good, bad]);
      expect(result.code).toBe(2);
      expect(result.stderr).toContain('spec.region');
      expect(result.stderr).toContain('spec.branding.primaryColor: must be a hex colour');
      expect(
        await query('SELECT slug FROM platform.tenants WHERE slug = ANY($1)', [[good, bad].map((f) => f.replace(/^.*\/|\.yaml$/g, ''))]),
      ).toEqual([]);
    },
    SUBPROCESS_TEST_TIMEOUT_MS,
  );

  it(
    'refuses the same slug in another region with exit code 1 and a clear message',
    async () => {
      const slug = uniqueSlug('region');
      expect((await run(['tenant', 'provision', await manifestFile(slug)])).code).toBe(0);
      const moved = await run(['tenant', 'provision', await manifestFile(slug, (t) => t.replace('region: eu-west', 'region: us-east'))]);
      expect(moved.code).toBe(1);
      expect(moved.stderr).toContain(`Tenant "${slug}" already exists in region eu-west; a tenant's region cannot change`);
      expect(await query('SELECT region FROM platform.tenants WHERE slug = $1', [slug])).toEqual([{ region: 'eu-west' }]);
    },
    SUBPROCESS_TEST_TIMEOUT_MS,
  );

  it(
    "with STRIPE_SECRET_KEY, makes the tenant's Stripe Connect account and says whether it can sell; deprovision closes it",
    async () => {
      const stripeMock = await startStripeMock();
      try {
        const stripe = { STRIPE_SECRET_KEY: 'sk_test_cli', STRIPE_API_URL: stripeMock.url };
        const slug = uniqueSlug('clibill');
        const file = await manifestFile(slug);
        const provisioned = await run(['tenant', 'provision', file], stripe);
        expect(provisioned.code).toBe(0);
        const [account] = await query<{ stripe_account_id: string; closed_at: Date | null }>(
          'SELECT stripe_account_id, closed_at FROM platform.billing_accounts WHERE tenant_slug = $1',
          [slug],
        );
        expect(account?.stripe_account_id).toMatch(/^acct_/);
        expect(provisioned.stderr).toContain(`${slug}: created (eu-west`);
        expect(provisioned.stderr).toContain(`billing: Stripe account ${account?.stripe_account_id ?? '?'} created, not selling yet (`);

        const again = await run(['tenant', 'provision', file], stripe);
        expect(again.stderr).toContain(`billing: Stripe account ${account?.stripe_account_id ?? '?'}, not selling yet (`);
        expect(await query('SELECT count(*)::int AS n FROM platform.billing_accounts WHERE tenant_slug = $1', [slug])).toEqual([{ n: 1 }]);

        const gone = await run(['tenant', 'deprovision', slug], stripe);
        expect(gone.code).toBe(0);
        expect(gone.stdout).toContain(
          `Tenant "${slug}": billing account closed (sales stopped; the Stripe account stays with the tenant).`,
        );
        const [closed] = await query<{ closed_at: Date | null }>('SELECT closed_at FROM platform.billing_accounts WHERE tenant_slug = $1', [
          slug,
        ]);
        expect(closed?.closed_at).toBeInstanceOf(Date);
      } finally {
        await stripeMock.stop();
      }
    },
    SUBPROCESS_TEST_TIMEOUT_MS,
  );

  it(
    'answers an unknown tenant and an unknown command clearly',
    async () => {
      const unknown = await run(['tenant', 'deprovision', 'nobody-here']);
      expect(unknown.code).toBe(1);
      expect(unknown.stderr).toContain('No tenant "nobody-here" is registered');
      const bogus = await run(['frobnicate']);
      expect(bogus.code).toBe(2);
      expect(bogus.stderr).toContain("unknown command 'frobnicate'");
    },
    SUBPROCESS_TEST_TIMEOUT_MS,
  );

  it(
    'names the variable of a bad configuration',
    async () => {
      const result = await run(['tenant', 'list'], { DATABASE_URL: 'mysql://nope' });
      expect(result.code).toBe(2);
      expect(result.stderr).toContain('DATABASE_URL: must be a postgres:// URL');
    },
    SUBPROCESS_TEST_TIMEOUT_MS,
  );

  it(
    'refuses to migrate when an applied migration file has changed, applying nothing',
    async () => {
      const dir = join(work, 'migrations');
      await cp(MIGRATIONS_DIR, dir, { recursive: true });
      const slug = uniqueSlug('drift');
      expect((await run(['tenant', 'provision', await manifestFile(slug)], { MINDBOT_MIGRATIONS_DIR: dir })).code).toBe(0);
      await writeFile(join(dir, 'tenant', '0001_identity.sql'), '-- rewritten\n');
      await writeFile(join(dir, 'tenant', '9001_new.sql'), 'CREATE TABLE notes (id int);');
      const result = await run(['db', 'migrate'], { MINDBOT_MIGRATIONS_DIR: dir });
      expect(result.code).toBe(1);
      expect(result.stderr).toContain('0001_identity.sql was changed after it was applied');
      expect(await query("SELECT 1 FROM pg_tables WHERE tablename = 'notes'")).toEqual([]);
    },
    SUBPROCESS_TEST_TIMEOUT_MS,
  );

  it(
    'finishes the job on the next run after being killed in the middle of a migration',
    async () => {
      const dir = join(work, 'migrations');
      await cp(MIGRATIONS_DIR, dir, { recursive: true });
      const slug = uniqueSlug('killed');
      expect((await run(['tenant', 'provision', await manifestFile(slug)], { MINDBOT_MIGRATIONS_DIR: dir })).code).toBe(0);
      await writeFile(join(dir, 'tenant', '9001_slow.sql'), 'CREATE TABLE slow_table (id int);\nSELECT pg_sleep(30);');
      const child = start(['db', 'migrate'], { MINDBOT_MIGRATIONS_DIR: dir });
      // Wait until the migration is running on the server, then kill the CLI without warning.
      for (let i = 0; i < 200; i++) {
        const busy = await query(
          "SELECT 1 FROM pg_stat_activity WHERE query LIKE '%pg_sleep(30)%' AND state = 'active' AND pid <> pg_backend_pid()",
        );
        if (busy.length > 0) break;
        await new Promise((r) => setTimeout(r, 50));
      }
      child.kill('SIGKILL');
      await new Promise((r) => child.on('close', r));
      await query("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE query LIKE '%pg_sleep(30)%' AND pid <> pg_backend_pid()");
      const schema = `t_${slug.replaceAll('-', '_')}`;
      const realVersions = (await readdir(join(dir, 'tenant')))
        .filter((f) => !f.startsWith('9'))
        .map((f) => ({ version: f.slice(0, 4) }))
        .sort((a, b) => a.version.localeCompare(b.version));
      expect(await query('SELECT version FROM platform.schema_migrations WHERE schema_name = $1 ORDER BY version', [schema])).toEqual(
        realVersions,
      );

      await writeFile(join(dir, 'tenant', '9001_slow.sql'), 'CREATE TABLE slow_table (id int);');
      const resumed = await run(['db', 'migrate'], { MINDBOT_MIGRATIONS_DIR: dir });
      expect(resumed.code).toBe(0);
      expect(resumed.stderr).toContain(`${schema}: applied 9001_slow.sql`);
      expect(await query('SELECT version FROM platform.schema_migrations WHERE schema_name = $1 ORDER BY version', [schema])).toEqual([
        ...realVersions,
        { version: '9001' },
      ]);
    },
    SUBPROCESS_TEST_TIMEOUT_MS,
  );
});
