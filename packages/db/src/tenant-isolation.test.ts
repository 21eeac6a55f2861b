import { createTestDatabase, uniqueSlug, type TestDatabase } from '@mindbot/testing';
import { schemaNameOf } from '@mindbot/tenancy';
import { createPool, type Pool } from './pool.js';
import { MigrationRunner } from './migrations/migration-runner.js';
import { ensureTenantSchema } from './tenant-schema.js';
import { TenantClients } from './tenant-clients.js';
import { Prisma } from './generated/prisma/client.js';

// Isolation is enforced by Postgres, not by our code: each tenant transaction runs as the tenant's
// own role, and these tests prove Postgres refuses whatever the code asks for.

describe('tenant-scoped clients', () => {
  let database: TestDatabase;
  let pool: Pool;
  let clients: TenantClients;
  const a = uniqueSlug('alpha');
  const b = uniqueSlug('bravo');

  beforeAll(async () => {
    database = await createTestDatabase();
    const setupPool = createPool(database.url, { max: 2 });
    const runner = await MigrationRunner.load(setupPool);
    await runner.migrate({ kind: 'platform', schema: 'platform' });
    for (const slug of [a, b]) {
      await ensureTenantSchema(setupPool, slug);
      await runner.migrate({ kind: 'tenant', schema: schemaNameOf(slug), role: schemaNameOf(slug) });
    }
    await setupPool.end();
    // One connection: every transaction of both tenants reuses the same server session.
    pool = createPool(database.url, { max: 1 });
    clients = new TenantClients(pool);
  });

  afterAll(async () => {
    await clients.close();
    await pool.end();
    await database.dispose();
  });

  it("reads and writes only the tenant's own schema through the models", async () => {
    await clients.forTenant(a).transaction((tx) => tx.user.create({ data: { id: 'usr_a1', email: 'ada@alpha.example' } }));
    await clients.forTenant(b).transaction((tx) => tx.user.create({ data: { id: 'usr_b1', email: 'bob@bravo.example' } }));
    const seenByA = await clients.forTenant(a).transaction((tx) => tx.user.findMany({ select: { email: true } }));
    const seenByB = await clients.forTenant(b).transaction((tx) => tx.user.findMany({ select: { email: true } }));
    expect(seenByA).toEqual([{ email: 'ada@alpha.example' }]);
    expect(seenByB).toEqual([{ email: 'bob@bravo.example' }]);
  });

  it("is refused by Postgres when it names another tenant's schema explicitly, for reads and writes", async () => {
    const other = schemaNameOf(b);
    await expect(clients.forTenant(a).transaction((tx) => tx.$queryRaw(Prisma.raw(`SELECT * FROM "${other}".users`)))).rejects.toThrow(
      /permission denied for schema/,
    );
    await expect(
      clients
        .forTenant(a)
        .transaction((tx) => tx.$executeRaw(Prisma.raw(`INSERT INTO "${other}".users (id, email) VALUES ('usr_x', 'x@evil.example')`))),
    ).rejects.toThrow(/permission denied for schema/);
    const stillOne = await clients.forTenant(b).transaction((tx) => tx.user.count());
    expect(stillOne).toBe(1);
  });

  it('cannot read the platform registry', async () => {
    await expect(clients.forTenant(a).transaction((tx) => tx.$queryRaw`SELECT * FROM platform.tenants`)).rejects.toThrow(
      /permission denied for schema platform/,
    );
  });

  it('never sees the other tenant when transactions of both interleave on one pooled connection', async () => {
    const identities = await Promise.all(
      Array.from({ length: 40 }, (_, i) => {
        const slug = i % 2 === 0 ? a : b;
        return clients.forTenant(slug).transaction(async (tx) => {
          await tx.auditEvent.create({ data: { id: `aud_${slug}_${i}`, action: 'test.interleave', data: { i } } });
          const [who] = await tx.$queryRaw<
            { role: string; path: string }[]
          >`SELECT current_user AS role, current_setting('search_path') AS path`;
          const actions = await tx.auditEvent.findMany({ select: { id: true } });
          return { slug, who, foreign: actions.filter((e) => !e.id.startsWith(`aud_${slug}_`)).length };
        });
      }),
    );
    for (const { slug, who, foreign } of identities) {
      expect(who).toEqual({ role: schemaNameOf(slug), path: schemaNameOf(slug) });
      expect(foreign).toBe(0);
    }
  });

  it('leaves no role, search_path or transaction behind on the pooled connection, even after a failure', async () => {
    await expect(
      clients.forTenant(a).transaction(async (tx) => {
        await tx.user.create({ data: { id: 'usr_rolled_back', email: 'gone@alpha.example' } });
        throw new Error('boom');
      }),
    ).rejects.toThrow('boom');
    const { rows } = await pool.query<{ role: string; path: string }>(
      "SELECT current_user AS role, current_setting('search_path') AS path",
    );
    expect(rows[0]?.role).not.toMatch(/^t_/);
    expect(rows[0]?.path).toBe('"$user", public');
    const rolledBack = await clients.forTenant(a).transaction((tx) => tx.user.findUnique({ where: { id: 'usr_rolled_back' } }));
    expect(rolledBack).toBeNull();
  });

  it('refuses to update or delete the append-only audit log', async () => {
    await expect(clients.forTenant(a).transaction((tx) => tx.auditEvent.deleteMany({}))).rejects.toThrow(/append-only/);
  });

  describe('the light read path (read)', () => {
    it("reads only the tenant's own schema, with values as bind parameters", async () => {
      const seenByA = await clients
        .forTenant(a)
        .read((sql) => sql<{ email: string }>`SELECT email FROM users WHERE id LIKE ${'usr_%'} ORDER BY id`);
      const seenByB = await clients.forTenant(b).read((sql) => sql<{ email: string }>`SELECT email FROM users ORDER BY id`);
      expect(seenByA).toEqual([{ email: 'ada@alpha.example' }]);
      expect(seenByB).toEqual([{ email: 'bob@bravo.example' }]);
    });

    it("is refused by Postgres when it names another tenant's schema or the platform registry", async () => {
      const other = schemaNameOf(b);
      await expect(clients.forTenant(a).read((sql) => sql`SELECT * FROM platform.tenants`)).rejects.toThrow(
        /permission denied for schema platform/,
      );
      const tagged = Object.assign([`SELECT * FROM "${other}".users`], { raw: [`SELECT * FROM "${other}".users`] });
      await expect(clients.forTenant(a).read((sql) => sql(tagged))).rejects.toThrow(/permission denied for schema/);
    });

    it('refuses writes, and a second statement smuggled into the text', async () => {
      await expect(
        clients.forTenant(a).read((sql) => sql`INSERT INTO users (id, email) VALUES ('usr_w', 'w@alpha.example')`),
      ).rejects.toThrow(/read-only transaction/);
      const twoStatements = Object.assign(['SELECT 1; RESET ROLE'], { raw: ['SELECT 1; RESET ROLE'] });
      await expect(clients.forTenant(a).read((sql) => sql(twoStatements))).rejects.toThrow(/multiple commands/);
      const count = await clients.forTenant(a).transaction((tx) => tx.user.count());
      expect(count).toBe(1);
    });

    it('never sees the other tenant when reads of both interleave on one pooled connection, and leaves nothing behind', async () => {
      const identities = await Promise.all(
        Array.from({ length: 40 }, (_, i) => {
          const slug = i % 2 === 0 ? a : b;
          return clients.forTenant(slug).read(async (sql) => {
            const [who] = await sql<{ role: string; path: string }>`SELECT current_user AS role, current_setting('search_path') AS path`;
            return { slug, who };
          });
        }),
      );
      for (const { slug, who } of identities) expect(who).toEqual({ role: schemaNameOf(slug), path: schemaNameOf(slug) });
      await expect(clients.forTenant(a).read(() => Promise.reject(new Error('boom')))).rejects.toThrow('boom');
      const { rows } = await pool.query<{ role: string; path: string }>(
        "SELECT current_user AS role, current_setting('search_path') AS path",
      );
      expect(rows[0]?.role).not.toMatch(/^t_/);
      expect(rows[0]?.path).toBe('"$user", public');
    });
  });

  describe('the light write path (write)', () => {
    async function emails(slug: string): Promise<string[]> {
      const rows = await clients.forTenant(slug).read((sql) => sql<{ email: string }>`SELECT email FROM users ORDER BY email`);
      return rows.map((r) => r.email);
    }

    it("writes only the tenant's own schema, with values as bind parameters, and commits", async () => {
      const written = await clients.forTenant(a).write(async (sql) => {
        await sql`INSERT INTO users (id, email) VALUES (${'usr_wa'}, ${"o'neil@alpha.example"})`;
        return sql<{ role: string; path: string }>`SELECT current_user AS role, current_setting('search_path') AS path`;
      });
      expect(written).toEqual([{ role: schemaNameOf(a), path: schemaNameOf(a) }]);
      expect(await emails(a)).toEqual(['ada@alpha.example', "o'neil@alpha.example"]);
      expect(await emails(b)).toEqual(['bob@bravo.example']);
      await clients.forTenant(a).write((sql) => sql`DELETE FROM users WHERE id = ${'usr_wa'}`);
      expect(await emails(a)).toEqual(['ada@alpha.example']);
    });

    it("is refused by Postgres when it names another tenant's schema or the platform registry, and writes nothing", async () => {
      const other = schemaNameOf(b);
      const insert = `INSERT INTO "${other}".users (id, email) VALUES ('usr_x', 'x@evil.example')`;
      await expect(clients.forTenant(a).write((sql) => sql(Object.assign([insert], { raw: [insert] })))).rejects.toThrow(
        /permission denied for schema/,
      );
      await expect(clients.forTenant(a).write((sql) => sql`DELETE FROM platform.tenants`)).rejects.toThrow(
        /permission denied for schema platform/,
      );
      const twoStatements = Object.assign(['SELECT 1; RESET ROLE'], { raw: ['SELECT 1; RESET ROLE'] });
      await expect(clients.forTenant(a).write((sql) => sql(twoStatements))).rejects.toThrow(/multiple commands/);
      expect(await emails(b)).toEqual(['bob@bravo.example']);
    });

    it('rolls back everything when fn throws or a statement fails, and when rollbackIf asks, answering the value', async () => {
      await expect(
        clients.forTenant(a).write(async (sql) => {
          await sql`INSERT INTO users (id, email) VALUES (${'usr_gone1'}, ${'gone1@alpha.example'})`;
          throw new Error('boom');
        }),
      ).rejects.toThrow('boom');
      await expect(
        clients.forTenant(a).write(async (sql) => {
          await sql`INSERT INTO users (id, email) VALUES (${'usr_gone2'}, ${'gone2@alpha.example'})`;
          await sql`DELETE FROM audit_log`;
        }),
      ).rejects.toThrow(/append-only/);
      const value = await clients.forTenant(a).write(
        async (sql) => {
          await sql`INSERT INTO users (id, email) VALUES (${'usr_gone3'}, ${'gone3@alpha.example'})`;
          return 'redo';
        },
        { rollbackIf: (v) => v === 'redo' },
      );
      expect(value).toBe('redo');
      expect(await emails(a)).toEqual(['ada@alpha.example']);
    });

    it('never writes as the other tenant when writes of both interleave on one pooled connection, and leaves nothing behind', async () => {
      const identities = await Promise.all(
        Array.from({ length: 40 }, (_, i) => {
          const slug = i % 2 === 0 ? a : b;
          return clients.forTenant(slug).write(async (sql) => {
            await sql`INSERT INTO audit_log (id, action, data) VALUES (${`aud_w_${slug}_${i}`}, ${'test.write'}, ${JSON.stringify({ i })}::jsonb)`;
            const [who] = await sql<{ role: string; path: string }>`SELECT current_user AS role, current_setting('search_path') AS path`;
            const ids = await sql<{ id: string }>`SELECT id FROM audit_log WHERE action = ${'test.write'}`;
            return { slug, who, foreign: ids.filter((e) => !e.id.startsWith(`aud_w_${slug}_`)).length };
          });
        }),
      );
      for (const { slug, who, foreign } of identities) {
        expect(who).toEqual({ role: schemaNameOf(slug), path: schemaNameOf(slug) });
        expect(foreign).toBe(0);
      }
      await expect(clients.forTenant(a).write(() => Promise.reject(new Error('boom')))).rejects.toThrow('boom');
      const { rows } = await pool.query<{ role: string; path: string; open: boolean }>(
        "SELECT current_user AS role, current_setting('search_path') AS path, now() <> statement_timestamp() AS open",
      );
      expect(rows[0]).toEqual({ role: expect.not.stringMatching(/^t_/) as unknown, path: '"$user", public', open: false });
    });
  });

  describe('one write statement in one round trip (writeOne)', () => {
    it("writes only the tenant's own schema and commits; is refused another tenant's schema, the registry and two statements", async () => {
      await expect(
        clients.forTenant(a).writeOne<{
          id: string;
        }>`INSERT INTO users (id, email) VALUES (${'usr_one'}, ${'one@alpha.example'}) RETURNING id`,
      ).resolves.toEqual([{ id: 'usr_one' }]);
      const [seen] = await clients.forTenant(a).select<{ n: number }>`SELECT count(*)::int AS n FROM users WHERE id = ${'usr_one'}`;
      expect(seen).toEqual({ n: 1 });
      const [who] = await clients.forTenant(b).writeOne<{
        role: string;
        path: string;
      }>`SELECT current_user AS role, current_setting('search_path') AS path`;
      expect(who).toEqual({ role: schemaNameOf(b), path: schemaNameOf(b) });
      const insert = `INSERT INTO "${schemaNameOf(b)}".users (id, email) VALUES ('usr_x1', 'x@evil.example')`;
      await expect(clients.forTenant(a).writeOne(Object.assign([insert], { raw: [insert] }))).rejects.toThrow(
        /permission denied for schema/,
      );
      await expect(clients.forTenant(a).writeOne`DELETE FROM platform.tenants`).rejects.toThrow(/permission denied for schema platform/);
      const twoStatements = Object.assign(['SELECT 1; RESET ROLE'], { raw: ['SELECT 1; RESET ROLE'] });
      await expect(clients.forTenant(a).writeOne(twoStatements)).rejects.toThrow(/multiple commands/);
      await clients.forTenant(a).writeOne`DELETE FROM users WHERE id = ${'usr_one'}`;
      expect(await clients.forTenant(b).select<{ email: string }>`SELECT email FROM users ORDER BY id`).toEqual([
        { email: 'bob@bravo.example' },
      ]);
    });

    it('writes nothing when the statement fails, and leaves no role, search_path or transaction behind', async () => {
      await expect(
        clients.forTenant(a)
          .writeOne`WITH gone AS (INSERT INTO users (id, email) VALUES (${'usr_half'}, ${'half@alpha.example'}) RETURNING id)
          SELECT 1 / 0 FROM gone`,
      ).rejects.toThrow(/division by zero/);
      const { rows } = await pool.query<{ role: string; path: string; open: boolean }>(
        "SELECT current_user AS role, current_setting('search_path') AS path, now() <> statement_timestamp() AS open",
      );
      expect(rows[0]).toEqual({ role: expect.not.stringMatching(/^t_/) as unknown, path: '"$user", public', open: false });
      const [half] = await clients.forTenant(a).select<{ n: number }>`SELECT count(*)::int AS n FROM users WHERE id = ${'usr_half'}`;
      expect(half).toEqual({ n: 0 });
      const identities = await Promise.all(
        Array.from({ length: 20 }, (_, i) => {
          const slug = i % 2 === 0 ? a : b;
          return clients.forTenant(slug).writeOne<{ role: string }>`SELECT current_user AS role`.then(([who]) => ({ slug, who }));
        }),
      );
      for (const { slug, who } of identities) expect(who).toEqual({ role: schemaNameOf(slug) });
    });
  });

  describe('one read statement in one round trip (select)', () => {
    it("reads only the tenant's own schema, and is refused another tenant's schema, the registry and writes", async () => {
      await expect(clients.forTenant(a).select<{ email: string }>`SELECT email FROM users ORDER BY id`).resolves.toEqual([
        { email: 'ada@alpha.example' },
      ]);
      await expect(clients.forTenant(b).select<{ email: string }>`SELECT email FROM users WHERE id = ${'usr_b1'}`).resolves.toEqual([
        { email: 'bob@bravo.example' },
      ]);
      const other = Object.assign([`SELECT * FROM "${schemaNameOf(b)}".users`], { raw: [''] });
      await expect(clients.forTenant(a).select(other)).rejects.toThrow(/permission denied for schema/);
      await expect(clients.forTenant(a).select`SELECT * FROM platform.tenants`).rejects.toThrow(/permission denied for schema platform/);
      await expect(clients.forTenant(a).select`INSERT INTO users (id, email) VALUES ('usr_s', 's@alpha.example')`).rejects.toThrow(
        /read-only transaction/,
      );
    });

    it('refuses a second statement or a comment that could hide the end of the transaction, before sending anything', async () => {
      for (const text of ['SELECT 1; RESET ROLE', 'SELECT 1 --', 'SELECT 1 /*']) {
        const tagged = Object.assign([text], { raw: [text] });
        await expect(clients.forTenant(a).select(tagged)).rejects.toThrow(/one statement/);
      }
    });

    it('leaves no role, search_path or transaction behind on the pooled connection, even after a failure', async () => {
      await expect(clients.forTenant(a).select`SELECT * FROM no_such_table`).rejects.toThrow(/does not exist/);
      const { rows } = await pool.query<{ role: string; path: string }>(
        "SELECT current_user AS role, current_setting('search_path') AS path",
      );
      expect(rows[0]?.role).not.toMatch(/^t_/);
      expect(rows[0]?.path).toBe('"$user", public');
      const [who] = await clients.forTenant(b).select<{ role: string }>`SELECT current_user AS role`;
      expect(who).toEqual({ role: schemaNameOf(b) });
    });
  });
});
