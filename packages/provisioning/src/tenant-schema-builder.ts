import pg from 'pg';
import { quoteIdent, retryingWhenRoleDropped, withSchemaLock, type Migration } from '@mindbot/db';
import { coveredBy, loadTenantBaseline, TENANT_BASELINE_FILE, type TenantBaseline } from './tenant-baseline.js';

export interface SchemaTarget {
  schema: string;
  /** The tenant's role: it owns the schema and runs the migrations, so it owns what they create. */
  role: string;
}

export interface BuiltSchema {
  /** The migration files applied now, in order (none when another run had already applied them). */
  applied: string[];
  /** The baseline file that stood for the covered ones among them, when one did. */
  baseline?: string;
}

export interface BuildOptions {
  /** The squashed baseline to start a new schema from; null builds from history only. Default: the repository's baseline file. */
  baseline?: TenantBaseline | null;
}

// Read once per process: a new tenant should not pay for reading and parsing the file.
let defaultBaseline: Promise<TenantBaseline | undefined> | undefined;
const repositoryBaseline = () => (defaultBaseline ??= loadTenantBaseline(TENANT_BASELINE_FILE));

/** A migration file that failed while the tenant's schema was being built; nothing of the build was kept. */
export class SchemaBuildError extends Error {
  constructor(message: string, options: { cause: unknown }) {
    super(message, options);
    this.name = 'SchemaBuildError';
  }
}

const literal = (value: string) => pg.escapeLiteral(value);

/**
 * Builds a tenant's database in one transaction: its role, its schema, every tenant migration it
 * still lacks and their records in `platform.schema_migrations`, sent as one multi-statement round
 * trip and made durable by one commit. The migration runner spends a transaction (and a WAL flush)
 * per file, which is right for rolling one new file out to every schema but makes a new tenant cost
 * one commit per migration ever written. Same advisory lock and the same records (with checksums)
 * as the runner, so either finishes what the other started; a failure leaves nothing behind.
 *
 * A schema that has none of the baseline's migrations starts from the baseline instead of the files
 * it covers (ADR 0062), as long as every covered file is unchanged; the files after it follow from
 * history, and every file is recorded as if it had run, so the runner cannot tell the difference.
 */
export async function buildTenantSchema(
  pool: pg.Pool,
  target: SchemaTarget,
  migrations: readonly Migration[],
  options: BuildOptions = {},
): Promise<BuiltSchema> {
  const schema = quoteIdent(target.schema);
  const role = quoteIdent(target.role);
  const baseline = options.baseline === undefined ? await repositoryBaseline() : (options.baseline ?? undefined);
  return retryingWhenRoleDropped(() =>
    withSchemaLock(pool, target.schema, async (client) => {
      // Read under the lock: another runner may have applied some files while this one waited.
      const done = await client.query<{ version: string }>('SELECT version FROM platform.schema_migrations WHERE schema_name = $1', [
        target.schema,
      ]);
      const applied = new Set(done.rows.map((r) => r.version));
      const pending = migrations.filter((m) => !applied.has(m.version));
      const covered = baseline ? coveredBy(baseline, migrations, applied) : undefined;

      const setup = [
        // Roles are cluster-wide: another database on this server may have made it meanwhile.
        `DO $$ BEGIN CREATE ROLE ${role} NOLOGIN NOINHERIT; EXCEPTION WHEN duplicate_object OR unique_violation THEN NULL; END $$`,
        // A non-superuser platform login must be a member of the tenant role to SET ROLE to it.
        `DO $$ BEGIN IF NOT (SELECT rolsuper FROM pg_roles WHERE rolname = current_user) THEN GRANT ${role} TO CURRENT_USER; END IF; END $$`,
        `CREATE SCHEMA IF NOT EXISTS ${schema} AUTHORIZATION ${role}`,
        `REVOKE ALL ON SCHEMA ${schema} FROM PUBLIC`,
        `SET LOCAL ROLE ${role}`,
        `SET LOCAL search_path TO ${schema}`,
      ].join(';\n');
      // Where each file starts in the text sent, to name the file a failing statement belongs to.
      let text = `${setup};\n`;
      const starts: { offset: number; file: string }[] = [];
      if (baseline && covered) {
        // A dump creates functions before the tables their bodies name (pg_dump turns the check off
        // too); the files after the baseline are checked as history checks them.
        const checking = await client.query<{ value: string }>("SELECT current_setting('check_function_bodies') AS value");
        const restore = checking.rows[0]?.value === 'off' ? 'off' : 'on';
        starts.push({ offset: text.length, file: baseline.file });
        text += `SET LOCAL check_function_bodies = off;\n${baseline.sql}\n;\nSET LOCAL check_function_bodies = ${restore};\n`;
      }
      for (const migration of pending) {
        if (covered?.has(migration.version)) continue;
        starts.push({ offset: text.length, file: migration.file });
        text += `${migration.sql}\n;\n`;
      }
      const recordsAt = text.length;
      text += 'RESET ROLE;\n';
      if (pending.length > 0) {
        const rows = pending.map((m) => `(${literal(target.schema)}, ${literal(m.version)}, ${literal(m.name)}, ${literal(m.checksum)})`);
        text += `INSERT INTO platform.schema_migrations (schema_name, version, name, checksum) VALUES ${rows.join(', ')};\n`;
      }

      try {
        await client.query(text);
      } catch (error) {
        const position = Number((error as { position?: unknown }).position);
        const where = Number.isFinite(position) && position > 0 ? position - 1 : undefined;
        const culprit = where === undefined || where >= recordsAt ? undefined : starts.findLast((s) => s.offset <= where)?.file;
        const what =
          culprit !== undefined
            ? culprit
            : starts.length > 0 && (where === undefined || where >= (starts[0]?.offset ?? 0))
              ? starts.length === 1
                ? (starts[0]?.file ?? '')
                : `one of ${starts.map((s) => s.file).join(', ')}`
              : 'creating its role and schema';
        const message = error instanceof Error ? error.message : String(error);
        throw new SchemaBuildError(`${what} failed on schema ${target.schema}: ${message}`, { cause: error });
      }
      const built: BuiltSchema = { applied: pending.map((m) => m.file) };
      if (baseline && covered) built.baseline = baseline.file;
      return built;
    }),
  );
}
