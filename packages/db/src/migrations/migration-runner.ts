import type pg from 'pg';
import { quoteIdent } from '../quote-ident.js';
import { withSchemaLock } from '../schema-lock.js';
import { loadMigrations, type Migration } from './load-migrations.js';
import { MIGRATIONS_DIR } from './migrations-dir.js';
import { join } from 'node:path';

/** A schema to migrate: the platform's own, or a tenant's (whose objects its role must own). */
export interface MigrationTarget {
  kind: 'platform' | 'tenant';
  schema: string;
  /** For tenants: the role that runs the migration and so owns what it creates. */
  role?: string;
}

export interface SchemaMigrationResult {
  schema: string;
  applied: string[];
}

export type MigrationProgress = (event: { done: number; total: number; result: SchemaMigrationResult; ms: number }) => void;

export interface DriftProblem {
  schema: string;
  version: string;
  problem: string;
}

/** Applied migrations no longer match the files: nothing is applied until that is resolved. */
export class MigrationDriftError extends Error {
  constructor(readonly problems: readonly DriftProblem[]) {
    super(
      `Refusing to migrate: applied migrations do not match the migration files.\n${problems
        .slice(0, 20)
        .map((p) => `  - ${p.schema} ${p.version}: ${p.problem}`)
        .join('\n')}${problems.length > 20 ? `\n  … and ${problems.length - 20} more` : ''}`,
    );
    this.name = 'MigrationDriftError';
  }
}

interface AppliedRow {
  schema_name: string;
  version: string;
  name: string;
  checksum: string;
}

/**
 * Applies SQL migrations schema by schema. Each migration runs in its own transaction under an
 * advisory lock for its schema and is recorded (with its checksum) in that same transaction, so a
 * run killed halfway leaves only whole migrations behind and the next run continues from there.
 */
export class MigrationRunner {
  private constructor(
    private readonly pool: pg.Pool,
    readonly platformMigrations: readonly Migration[],
    readonly tenantMigrations: readonly Migration[],
  ) {}

  static async load(pool: pg.Pool, dir: string = MIGRATIONS_DIR): Promise<MigrationRunner> {
    const [platform, tenant] = await Promise.all([loadMigrations(join(dir, 'platform')), loadMigrations(join(dir, 'tenant'))]);
    const runner = new MigrationRunner(pool, platform, tenant);
    await runner.bootstrap();
    return runner;
  }

  /** The platform schema and the table that records migrations; the only schema work done outside a migration file. */
  private async bootstrap(): Promise<void> {
    await withSchemaLock(this.pool, 'platform', async (client) => {
      await client.query('CREATE SCHEMA IF NOT EXISTS platform');
      await client.query(`CREATE TABLE IF NOT EXISTS platform.schema_migrations (
        schema_name text NOT NULL,
        version text NOT NULL,
        name text NOT NULL,
        checksum text NOT NULL,
        applied_at timestamptz(3) NOT NULL DEFAULT now(),
        PRIMARY KEY (schema_name, version)
      )`);
    });
  }

  private migrationsOf(target: MigrationTarget): readonly Migration[] {
    return target.kind === 'platform' ? this.platformMigrations : this.tenantMigrations;
  }

  private async appliedBySchema(schemas: readonly string[]): Promise<Map<string, AppliedRow[]>> {
    const { rows } = await this.pool.query<AppliedRow>(
      'SELECT schema_name, version, name, checksum FROM platform.schema_migrations WHERE schema_name = ANY($1::text[]) ORDER BY version',
      [schemas],
    );
    const bySchema = new Map<string, AppliedRow[]>();
    for (const row of rows) bySchema.set(row.schema_name, [...(bySchema.get(row.schema_name) ?? []), row]);
    return bySchema;
  }

  private driftOf(target: MigrationTarget, applied: readonly AppliedRow[]): DriftProblem[] {
    const files = new Map(this.migrationsOf(target).map((m) => [m.version, m]));
    const problems: DriftProblem[] = [];
    for (const row of applied) {
      const file = files.get(row.version);
      if (!file)
        problems.push({
          schema: target.schema,
          version: row.version,
          problem: `applied as ${row.version}_${row.name}.sql, but that file is gone`,
        });
      else if (file.checksum !== row.checksum)
        problems.push({ schema: target.schema, version: row.version, problem: `${file.file} was changed after it was applied` });
      else if (file.name !== row.name)
        problems.push({
          schema: target.schema,
          version: row.version,
          problem: `${file.file} was renamed from ${row.version}_${row.name}.sql after it was applied`,
        });
    }
    return problems;
  }

  /** What each target still needs; throws MigrationDriftError (listing every problem) before anything is applied. */
  async plan(targets: readonly MigrationTarget[]): Promise<Map<string, Migration[]>> {
    const applied = await this.appliedBySchema(targets.map((t) => t.schema));
    const problems = targets.flatMap((t) => this.driftOf(t, applied.get(t.schema) ?? []));
    if (problems.length > 0) throw new MigrationDriftError(problems);
    return new Map(
      targets.map((t) => {
        const done = new Set((applied.get(t.schema) ?? []).map((r) => r.version));
        return [t.schema, this.migrationsOf(t).filter((m) => !done.has(m.version))];
      }),
    );
  }

  async migrate(target: MigrationTarget): Promise<SchemaMigrationResult> {
    const [result] = await this.migrateMany([target]);
    return result ?? { schema: target.schema, applied: [] };
  }

  /** Verifies every target first (nothing is applied if any has drifted), then migrates them one by one. */
  async migrateMany(targets: readonly MigrationTarget[], onProgress?: MigrationProgress): Promise<SchemaMigrationResult[]> {
    const plan = await this.plan(targets);
    const results: SchemaMigrationResult[] = [];
    for (const target of targets) {
      const started = performance.now();
      const applied: string[] = [];
      for (const migration of plan.get(target.schema) ?? []) {
        if (await this.applyOne(target, migration)) applied.push(migration.file);
      }
      const result = { schema: target.schema, applied };
      results.push(result);
      onProgress?.({ done: results.length, total: targets.length, result, ms: performance.now() - started });
    }
    return results;
  }

  private async applyOne(target: MigrationTarget, migration: Migration): Promise<boolean> {
    return withSchemaLock(this.pool, target.schema, async (client) => {
      // Another runner may have applied it while this one waited for the lock.
      const already = await client.query<{ checksum: string }>(
        'SELECT checksum FROM platform.schema_migrations WHERE schema_name = $1 AND version = $2',
        [target.schema, migration.version],
      );
      if (already.rows[0]) {
        if (already.rows[0].checksum !== migration.checksum) {
          throw new MigrationDriftError([
            { schema: target.schema, version: migration.version, problem: `${migration.file} was changed after it was applied` },
          ]);
        }
        return false;
      }
      if (target.role) await client.query(`SET LOCAL ROLE ${quoteIdent(target.role)}`);
      await client.query(`SET LOCAL search_path TO ${quoteIdent(target.schema)}`);
      try {
        await client.query(migration.sql);
      } catch (error) {
        throw new Error(`${migration.file} failed on schema ${target.schema}: ${error instanceof Error ? error.message : String(error)}`, {
          cause: error,
        });
      }
      await client.query('RESET ROLE');
      await client.query('INSERT INTO platform.schema_migrations (schema_name, version, name, checksum) VALUES ($1, $2, $3, $4)', [
        target.schema,
        migration.version,
        migration.name,
        migration.checksum,
      ]);
      return true;
    });
  }
}
