import { cp, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createPool, MIGRATIONS_DIR, MigrationRunner, quoteIdent, type Pool } from '@mindbot/db';
import { roleNameOf, schemaNameOf } from '@mindbot/tenancy';
import { createTestDatabase, uniqueSlug, type TestDatabase } from '@mindbot/testing';
import { buildTenantSchema, type SchemaTarget } from './tenant-schema-builder.js';

const TRIGGER_FUNCTIONS = ['chain_audit_entry', 'guard_audit_log', 'guard_ledger_entry'];

describe('the trigger functions every tenant schema shares (platform 0009, tenant 0021)', () => {
  let database: TestDatabase;
  let pool: Pool;
  let migrations: MigrationRunner;
  let dir: string;

  const targetOf = (base: string): SchemaTarget => {
    const slug = uniqueSlug(base);
    return { schema: schemaNameOf(slug), role: roleNameOf(slug) };
  };

  /** Runs statements as the tenant's role on its schema, as the services' tenant scope does, in one transaction. */
  const asTenant = async (target: SchemaTarget, run: (query: (sql: string) => Promise<unknown>) => Promise<unknown>): Promise<void> => {
    const client = await pool.connect();
    try {
      await client.query(`BEGIN; SET LOCAL ROLE ${quoteIdent(target.role)}; SET LOCAL search_path TO ${quoteIdent(target.schema)}`);
      await run((sql) => client.query(sql));
      await client.query('COMMIT');
    } catch (error) {
      await client.query('ROLLBACK');
      throw error;
    } finally {
      client.release();
    }
  };

  /** Which schema's function each of the tenant's triggers calls. */
  const triggerTargets = async (target: SchemaTarget) =>
    (
      await pool.query<{ trigger: string; fn: string }>(
        `SELECT t.tgname AS trigger, fn_ns.nspname || '.' || p.proname AS fn
           FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid JOIN pg_namespace n ON n.oid = c.relnamespace
           JOIN pg_proc p ON p.oid = t.tgfoid JOIN pg_namespace fn_ns ON fn_ns.oid = p.pronamespace
          WHERE n.nspname = $1 AND NOT t.tgisinternal ORDER BY 1`,
        [target.schema],
      )
    ).rows;

  /** Every function in the database with one of the trigger functions' names, by schema. */
  const copies = async () =>
    (
      await pool.query<{ schema: string; name: string }>(
        `SELECT n.nspname AS schema, p.proname AS name FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace
          WHERE p.proname = ANY($1) ORDER BY 2, 1`,
        [TRIGGER_FUNCTIONS],
      )
    ).rows;

  const writeAudit = (target: SchemaTarget, ...actions: string[]) =>
    asTenant(target, async (query) => {
      for (const action of actions) await query(`INSERT INTO audit_log (id, action) VALUES ('aud_${action}', '${action}')`);
    });

  const auditRows = async (target: SchemaTarget) =>
    (
      await pool.query<{ action: string; seq: string; prev_hash: string; hash: string }>(
        `SELECT action, seq, prev_hash, hash FROM ${quoteIdent(target.schema)}.audit_log ORDER BY seq`,
      )
    ).rows;

  const expectedTriggers = [
    { trigger: 'audit_log_append_only', fn: 'tenant_common.guard_audit_log' },
    { trigger: 'audit_log_chain', fn: 'tenant_common.chain_audit_entry' },
    { trigger: 'ledger_entries_append_only', fn: 'tenant_common.guard_ledger_entry' },
  ];

  beforeAll(async () => {
    database = await createTestDatabase();
    pool = createPool(database.url, { max: 4 });
    migrations = await MigrationRunner.load(pool);
    await migrations.migrate({ kind: 'platform', schema: 'platform' });
    dir = await mkdtemp(join(tmpdir(), 'mindbot-shared-triggers-'));
  });

  afterAll(async () => {
    await pool.end();
    await database.dispose();
    await rm(dir, { recursive: true, force: true });
  });

  it('gives new tenants triggers that call the one shared copy, so the database holds each function once however many tenants it has', async () => {
    const first = targetOf('shared-one');
    const second = targetOf('shared-two');
    for (const target of [first, second]) {
      expect(await buildTenantSchema(pool, target, migrations.tenantMigrations)).toHaveProperty('baseline');
      expect(await triggerTargets(target)).toEqual(expectedTriggers);
    }
    expect(await copies()).toEqual(TRIGGER_FUNCTIONS.map((name) => ({ schema: 'tenant_common', name })));
  });

  it('moves a tenant built before them onto the shared copies with its audit chain, its guards and its erasure path intact', async () => {
    // The tenant as it was before tenant migration 0021: built from history without it.
    const before = await mkdtemp(join(dir, 'migrations-'));
    await cp(MIGRATIONS_DIR, before, { recursive: true });
    await rm(join(before, 'tenant', '0021_shared_trigger_functions.sql'));
    const older = await MigrationRunner.load(pool, before);
    const target = targetOf('shared-older');
    await buildTenantSchema(pool, target, older.tenantMigrations, { baseline: null });
    expect(await triggerTargets(target)).toEqual(expectedTriggers.map((t) => ({ ...t, fn: t.fn.replace('tenant_common', target.schema) })));
    await writeAudit(target, 'a_one', 'a_two');

    expect((await migrations.migrate({ kind: 'tenant', ...target })).applied).toEqual(['0021_shared_trigger_functions.sql']);
    expect(await triggerTargets(target)).toEqual(expectedTriggers);
    expect((await copies()).filter((c) => c.schema === target.schema)).toEqual([]);

    // The chain goes on from the entries written before.
    await writeAudit(target, 'a_three');
    const rows = await auditRows(target);
    expect(rows.map((r) => [r.action, r.seq])).toEqual([
      ['a_one', '1'],
      ['a_two', '2'],
      ['a_three', '3'],
    ]);
    expect(rows[2]?.prev_hash).toBe(rows[1]?.hash);
    expect(rows[2]?.hash).toMatch(/^[0-9a-f]{64}$/);

    // Still append-only, still erasable.
    await expect(asTenant(target, (query) => query(`UPDATE audit_log SET target = 'someone else'`))).rejects.toThrow(
      /audit_log is append-only/,
    );
    await expect(asTenant(target, (query) => query('DELETE FROM audit_log'))).rejects.toThrow(/append-only/);
    await asTenant(target, (query) => query(`UPDATE audit_log SET personal = '{}' WHERE action = 'a_two'`));
    expect(await auditRows(target)).toEqual(rows);
  });

  it('keeps the minute ledger append-only but for moving an erased person to a pseudonym', async () => {
    const target = targetOf('shared-ledger');
    await buildTenantSchema(pool, target, migrations.tenantMigrations);
    const ledger = `${quoteIdent(target.schema)}.ledger_entries`;
    // One entry, its purchase, card and lot left out: foreign keys are not what this is about.
    await pool.query(
      `BEGIN; SET LOCAL session_replication_role = replica;
       INSERT INTO ${ledger} (id, user_id, lot_id, kind, seconds, idempotency_key) VALUES ('led_1', 'usr_1', 'lot_1', 'credit', 600, 'grant:1');
       COMMIT`,
    );
    await expect(asTenant(target, (query) => query('UPDATE ledger_entries SET seconds = 6000'))).rejects.toThrow(
      /ledger_entries is append-only/,
    );
    await expect(asTenant(target, (query) => query('DELETE FROM ledger_entries'))).rejects.toThrow(/append-only/);
    await asTenant(target, (query) => query(`UPDATE ledger_entries SET user_id = 'anon_1'`));
    expect((await pool.query(`SELECT user_id, seconds FROM ${ledger}`)).rows).toEqual([{ user_id: 'anon_1', seconds: 600 }]);
  });

  it("does not let a tenant's role change the shared functions or add its own to their schema", async () => {
    const target = targetOf('shared-role');
    await buildTenantSchema(pool, target, migrations.tenantMigrations);
    await expect(
      asTenant(target, (query) =>
        query(`CREATE OR REPLACE FUNCTION tenant_common.guard_audit_log() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RETURN NEW; END $$`),
      ),
    ).rejects.toThrow(/permission denied for schema tenant_common|must be owner of function/);
    await expect(
      asTenant(target, (query) => query('CREATE FUNCTION tenant_common.mine() RETURNS int LANGUAGE sql AS $$ SELECT 1 $$')),
    ).rejects.toThrow(/permission denied for schema tenant_common/);
    await writeAudit(target, 'b_one');
    await expect(asTenant(target, (query) => query('DELETE FROM audit_log'))).rejects.toThrow(/append-only/);
  });
});
