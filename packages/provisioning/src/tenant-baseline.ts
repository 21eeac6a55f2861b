import { readFile } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { MIGRATIONS_DIR, type Migration } from '@mindbot/db';

/** One tenant migration a baseline stands for, as it was when the baseline was generated. */
export interface CoveredMigration {
  version: string;
  name: string;
  checksum: string;
}

/**
 * The tenant schema as a run of the migrations it covers leaves it, squashed into one file
 * (docs/adr/0062-tenant-schema-baseline.md), so a new tenant gets the final catalogue without the
 * history's column additions, rewrites and dropped-and-recreated objects.
 */
export interface TenantBaseline {
  /** Named in errors, as a migration file is. */
  file: string;
  sql: string;
  covers: readonly CoveredMigration[];
}

/** Where the generator writes the baseline: beside the tenant migrations, outside the folder the loader reads. */
export const TENANT_BASELINE_FILE = join(MIGRATIONS_DIR, 'tenant-baseline', 'tenant_baseline.sql');

const COVERS = /^-- covers (\d{4})_([a-z0-9_]+)\.sql sha256:([0-9a-f]{64})$/;

/** The header that records what a baseline covers; the loader reads it back. */
export function baselineHeader(covers: readonly CoveredMigration[]): string {
  return [
    '-- Tenant schema baseline, written by `npm run generate:tenant-baseline`: do not edit it by hand.',
    '-- It builds what the tenant migrations listed below build, run as the tenant role with search_path',
    '-- set to the tenant schema; buildTenantSchema uses it only while every listed checksum still',
    '-- matches its file (docs/adr/0062-tenant-schema-baseline.md).',
    ...covers.map((c) => `-- covers ${c.version}_${c.name}.sql sha256:${c.checksum}`),
  ].join('\n');
}

export function parseTenantBaseline(file: string, sql: string): TenantBaseline {
  const covers: CoveredMigration[] = [];
  for (const line of sql.split('\n')) {
    const match = COVERS.exec(line);
    if (match?.[1] && match[2] && match[3]) covers.push({ version: match[1], name: match[2], checksum: match[3] });
  }
  if (covers.length === 0) throw new Error(`${file} names no migration it covers (no "-- covers NNNN_name.sql sha256:…" line)`);
  return { file, sql, covers };
}

/** The baseline file, or undefined when there is none (every schema is then built from history). */
export async function loadTenantBaseline(path: string = TENANT_BASELINE_FILE): Promise<TenantBaseline | undefined> {
  let sql: string;
  try {
    sql = await readFile(path, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
  return parseTenantBaseline(basename(path), sql);
}

/**
 * Which of `migrations` a baseline replaces, or undefined when it cannot stand for them: a covered
 * file is missing, renamed or edited (its checksum differs), or already applied to the schema.
 */
export function coveredBy(
  baseline: TenantBaseline,
  migrations: readonly Migration[],
  applied: ReadonlySet<string>,
): ReadonlySet<string> | undefined {
  const files = new Map(migrations.map((m) => [m.version, m]));
  for (const covered of baseline.covers) {
    const file = files.get(covered.version);
    if (!file || file.name !== covered.name || file.checksum !== covered.checksum || applied.has(covered.version)) return undefined;
  }
  return new Set(baseline.covers.map((c) => c.version));
}
