// Writes prisma/migrations/tenant-baseline/tenant_baseline.sql: the tenant schema as every tenant
// migration present builds it, squashed into one file that new tenants start from (ADR 0062).
//   npm run generate:tenant-baseline
// Needs Postgres (TEST_DATABASE_ADMIN_URL, default the local server) and its pg_dump on PATH. It
// builds a scratch schema from history in a throwaway database, dumps it, strips what would tie the
// file to that schema or change the pooled connection's settings, adds the rows the migrations
// insert, then checks that a schema built from the file has the catalogue and rows of the scratch
// one, and writes the file only if it does.
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdir, writeFile } from 'node:fs/promises';
import { basename, dirname } from 'node:path';
import { promisify } from 'node:util';
import pg from 'pg';
import { createPool, MigrationRunner, quoteIdent, type Pool } from '@mindbot/db';
import { createTestDatabase } from '@mindbot/testing';
import { baselineHeader, parseTenantBaseline, TENANT_BASELINE_FILE } from '../../packages/provisioning/src/tenant-baseline.js';
import { catalogueDifferences, describeSchemaCatalogue } from '../../packages/provisioning/src/tenant-catalogue.js';
import { buildTenantSchema } from '../../packages/provisioning/src/tenant-schema-builder.js';

process.env.TEST_DATABASE_ADMIN_URL ??= 'postgres://postgres@127.0.0.1:5432/postgres';

/**
 * pg_dump's output made runnable inside buildTenantSchema's transaction for any tenant: no session
 * settings (the connection goes back to the pool), no schema creation or ownership (the builder
 * makes the schema, and the tenant's role owns what it creates), no schema prefix (search_path
 * points at the tenant's schema), and functions pinned to the schema they are created in.
 */
function baselineBodyOf(dump: string, scratch: string): string {
  const prefix = `${scratch}.`;
  const body = dump
    .split('\n')
    // pg_dump's own comments only: a function body may hold lines that look like them.
    .filter((line) => line !== '--' && !/^-- (Name|Dumped|PostgreSQL database dump)/.test(line))
    // psql meta-commands (pg_dump's \restrict guard) mean nothing to the server.
    .filter((line) => !/^\\(un)?restrict /.test(line))
    .filter((line) => !/^SET \w+ = .*;$/.test(line) && !/^SELECT pg_catalog\.set_config\(.*\);$/.test(line))
    .filter((line) => line !== `CREATE SCHEMA ${scratch};`)
    // `SET search_path FROM CURRENT` is dumped as the value it captured.
    .map((line) => (line === `    SET search_path TO '${scratch}'` ? '    SET search_path FROM CURRENT' : line))
    .map((line) => line.replaceAll(prefix, ''))
    .join('\n')
    .replace(/\n{3,}/g, '\n\n')
    .trim();
  const left = body.split('\n').filter((line) => line.includes(scratch));
  if (left.length > 0) throw new Error(`The dump names the scratch schema or role where this script cannot remove it:\n${left.join('\n')}`);
  const settings = body.split('\n').filter((line) => /^(SET|RESET)\b|set_config\(/i.test(line));
  if (settings.length > 0) throw new Error(`The dump changes settings:\n${settings.join('\n')}`);
  return body;
}

interface ColumnInfo {
  name: string;
  always: boolean;
  hasDefault: boolean;
}

/**
 * The rows the migrations put in their tables (default roles, packages), as INSERTs. A value that
 * differs between two history builds came from the clock (now()) and is written as DEFAULT, which
 * is where such a value comes from; one that differs and has no default stops the script.
 */
async function seedRowsOf(pool: Pool, schema: string, twin: string): Promise<string> {
  const statements: string[] = [];
  const tables = await pool.query<{ name: string }>(
    "SELECT c.relname AS name FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = $1 AND c.relkind IN ('r', 'p') ORDER BY c.oid",
    [schema],
  );
  for (const { name } of tables.rows) {
    const columns = (
      await pool.query<ColumnInfo>(
        `SELECT a.attname AS name, a.attidentity = 'a' AS always, (a.atthasdef OR a.attidentity <> '') AS "hasDefault"
         FROM pg_attribute a WHERE a.attrelid = $1::regclass AND a.attnum > 0 AND NOT a.attisdropped AND a.attgenerated = ''
         ORDER BY a.attnum`,
        [`${quoteIdent(schema)}.${quoteIdent(name)}`],
      )
    ).rows;
    const literals = async (from: string) =>
      (
        await pool.query<{ values: (string | null)[] }>(
          `SELECT ARRAY[${columns.map((c) => `quote_nullable(${quoteIdent(c.name)})`).join(', ')}] AS values
           FROM ${quoteIdent(from)}.${quoteIdent(name)} ORDER BY ctid`,
        )
      ).rows.map((r) => r.values);
    const [rows, twinRows] = [await literals(schema), await literals(twin)];
    if (rows.length === 0) continue;
    if (rows.length !== twinRows.length) throw new Error(`Two history builds put ${rows.length} and ${twinRows.length} rows in ${name}`);
    const values = rows.map((row, r) =>
      columns.map((column, c) => {
        const value = row[c] ?? 'NULL';
        if (value === (twinRows[r]?.[c] ?? 'NULL')) return value;
        if (column.hasDefault) return 'DEFAULT';
        throw new Error(`${name}.${column.name} differs between two history builds and has no default to stand for it`);
      }),
    );
    const overriding = columns.some((c) => c.always) ? ' OVERRIDING SYSTEM VALUE' : '';
    statements.push(
      `INSERT INTO ${quoteIdent(name)} (${columns.map((c) => quoteIdent(c.name)).join(', ')})${overriding} VALUES\n${values
        .map((v) => `  (${v.join(', ')})`)
        .join(',\n')};`,
    );
  }
  const sequences = await pool.query<{ name: string; last: string }>(
    'SELECT sequencename AS name, last_value::text AS last FROM pg_sequences WHERE schemaname = $1 AND last_value IS NOT NULL ORDER BY 1',
    [schema],
  );
  for (const { name, last } of sequences.rows)
    statements.push(`SELECT pg_catalog.setval(${pg.escapeLiteral(quoteIdent(name))}, ${last}, true);`);
  return statements.join('\n\n');
}

async function main(): Promise<void> {
  const database = await createTestDatabase();
  const pool = createPool(database.url, { max: 2 });
  try {
    const runner = await MigrationRunner.load(pool);
    await runner.migrate({ kind: 'platform', schema: 'platform' });
    const migrations = runner.tenantMigrations;
    const scratch = `t_baseline_${randomBytes(4).toString('hex')}`;
    const twin = `t_baseline_twin_${randomBytes(4).toString('hex')}`;
    for (const schema of [scratch, twin]) await buildTenantSchema(pool, { schema, role: schema }, migrations, { baseline: null });

    // pg_dump's sections in its order, the rows between them: tables exist, and neither indexes,
    // foreign keys nor triggers act on the rows yet, as they did not when the migrations wrote them.
    const dump = async (section: string) =>
      baselineBodyOf(
        (
          await promisify(execFile)(
            'pg_dump',
            ['--schema-only', `--section=${section}`, '--no-owner', `--schema=${scratch}`, '--dbname', database.url],
            { maxBuffer: 64 * 1024 * 1024 },
          )
        ).stdout,
        scratch,
      );
    const parts = [await dump('pre-data'), await seedRowsOf(pool, scratch, twin), await dump('post-data')];
    const text = `${baselineHeader(migrations)}\n\n${parts.filter((p) => p.length > 0).join('\n\n')}\n`;

    // The file is only as good as what it builds: compare it with the history's.
    const check = `t_baseline_check_${randomBytes(4).toString('hex')}`;
    const built = await buildTenantSchema(pool, { schema: check, role: check }, migrations, {
      baseline: parseTenantBaseline(basename(TENANT_BASELINE_FILE), text),
    });
    if (built.baseline === undefined) throw new Error('The new baseline was not used for the check build');
    const differences = catalogueDifferences(
      await describeSchemaCatalogue(pool, scratch, scratch),
      await describeSchemaCatalogue(pool, check, check),
    );
    if (differences.length > 0) throw new Error(`The baseline builds another schema than history:\n${differences.join('\n')}`);

    await mkdir(dirname(TENANT_BASELINE_FILE), { recursive: true });
    await writeFile(TENANT_BASELINE_FILE, text);
    console.log(`${TENANT_BASELINE_FILE}: ${migrations.length} migrations, ${migrations.at(0)?.file} … ${migrations.at(-1)?.file}`);
  } finally {
    await pool.end();
    await database.dispose();
  }
}

await main();
