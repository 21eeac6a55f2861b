import { TenantClients } from '@mindbot/db';
import { createTestDatabase, testManifest, uniqueSlug, type TestDatabase } from '@mindbot/testing';
import { loadCliConfig } from '../config.js';
import { openContext, type CliContext } from '../context.js';
import { runCli } from '../program.js';
import { tenantProvision } from './tenant-provision.js';

// `mindbot user role <tenant> <email> <role>`: a tenant's first admin without an identity provider.
describe('mindbot user role', () => {
  let database: TestDatabase;
  let context: CliContext;
  let tenants: TenantClients;
  const slug = uniqueSlug('roles');

  beforeAll(async () => {
    database = await createTestDatabase();
    context = await openContext(loadCliConfig({ DATABASE_URL: database.url, MINDBOT_REGION: 'eu-west' }));
    expect(await tenantProvision(context, [testManifest(slug)], () => undefined)).toBe(0);
    tenants = new TenantClients(context.pool);
    await tenants
      .forTenant(slug)
      .transaction((tx) => tx.user.create({ data: { id: 'usr_01jd000000000000000000000a', email: 'first@example.com' } }));
  }, 60_000);
  afterAll(async () => {
    await tenants.close();
    await context.close();
    await database.dispose();
  });

  async function run(...args: string[]) {
    const out: string[] = [];
    const err: string[] = [];
    const code = await runCli(['user', 'role', ...args], {
      out: (l) => out.push(l),
      err: (l) => err.push(l),
      env: { DATABASE_URL: database.url, MINDBOT_REGION: 'eu-west' },
    });
    return { code, out: out.join('\n'), err: err.join('\n') };
  }

  const rolesOf = () =>
    tenants
      .forTenant(slug)
      .transaction(async (tx) =>
        (await tx.userRole.findMany({ where: { userId: 'usr_01jd000000000000000000000a' }, select: { role: { select: { name: true } } } }))
          .map((r) => r.role.name)
          .sort(),
      );
  const grants = () => tenants.forTenant(slug).transaction((tx) => tx.auditEvent.findMany({ where: { action: 'user.role_granted' } }));

  it('grants the role to the user with that email, once, and audits it', async () => {
    const first = await run(slug, 'First@Example.com', 'admin');
    expect(first).toMatchObject({ code: 0, err: '' });
    expect(first.out).toContain('now holds the role "admin"');
    expect(await rolesOf()).toEqual(['admin']);
    const audited = await grants();
    expect(audited).toHaveLength(1);
    expect(audited[0]).toMatchObject({ target: 'usr_01jd000000000000000000000a', actorId: null, data: { role: 'admin', by: 'cli' } });
    expect(audited[0]?.id).toMatch(/^aud_[0-9a-hjkmnp-tv-z]{26}$/);

    const again = await run(slug, 'first@example.com', 'admin');
    expect(again).toMatchObject({ code: 0, err: '' });
    expect(again.out).toContain('already held');
    expect(await grants()).toHaveLength(1);
  });

  it('refuses an unknown user, role or tenant with exit code 1, changing nothing', async () => {
    const before = await rolesOf();
    const noUser = await run(slug, 'nobody@example.com', 'admin');
    expect(noUser.code).toBe(1);
    expect(noUser.err).toContain('has no user nobody@example.com');
    const noRole = await run(slug, 'first@example.com', 'superuser');
    expect(noRole.code).toBe(1);
    expect(noRole.err).toContain('has no role "superuser"; its roles: admin, member, owner');
    const noTenant = await run('no-such-tenant', 'first@example.com', 'admin');
    expect(noTenant.code).toBe(1);
    expect(noTenant.err).toContain('No tenant "no-such-tenant"');
    expect(await rolesOf()).toEqual(before);
  });
});
