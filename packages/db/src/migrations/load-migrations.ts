import { createHash } from 'node:crypto';
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';

export interface Migration {
  /** `0001` — the order of application. */
  version: string;
  /** `init` */
  name: string;
  file: string;
  sql: string;
  /** sha256 of the file's bytes, recorded when applied. */
  checksum: string;
}

const MIGRATION_FILE = /^(\d{4})_([a-z0-9_]+)\.sql$/;

/** Reads a migration folder; anything that is not `NNNN_name.sql` (except README.md) is an error, not silently skipped. */
export async function loadMigrations(dir: string): Promise<Migration[]> {
  const files = (await readdir(dir)).filter((f) => f !== 'README.md').sort();
  const migrations: Migration[] = [];
  for (const file of files) {
    const match = MIGRATION_FILE.exec(file);
    if (!match?.[1] || !match[2]) throw new Error(`${join(dir, file)} is not named NNNN_name.sql`);
    const bytes = await readFile(join(dir, file));
    const version = match[1];
    if (migrations.some((m) => m.version === version)) throw new Error(`Two migrations in ${dir} share version ${version}`);
    migrations.push({
      version,
      name: match[2],
      file,
      sql: bytes.toString('utf8'),
      checksum: createHash('sha256').update(bytes).digest('hex'),
    });
  }
  return migrations;
}
