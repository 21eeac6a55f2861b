import { randomBytes } from 'node:crypto';
import pg from 'pg';

/** Set by test/global-setup.ts: the machine's Postgres, or an embedded one it started. */
export function testAdminUrl(): string {
  return process.env.TEST_DATABASE_ADMIN_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
}

export interface TestDatabase {
  name: string;
  url: string;
  /** Drops the database and the tenant roles its schemas belonged to. */
  dispose(): Promise<void>;
}

function withDatabase(url: string, database: string): string {
  const parsed = new URL(url);
  parsed.pathname = `/${database}`;
  return parsed.toString();
}

/** A fresh, empty database of its own for one test file, so test files can run in parallel. */
export async function createTestDatabase(): Promise<TestDatabase> {
  const name = `mbt_${randomBytes(6).toString('hex')}`;
  const admin = new pg.Client({ connectionString: testAdminUrl() });
  await admin.connect();
  try {
    await admin.query(`CREATE DATABASE ${name}`);
  } finally {
    await admin.end();
  }
  const url = withDatabase(testAdminUrl(), name);
  return {
    name,
    url,
    async dispose() {
      const inside = new pg.Client({ connectionString: url });
      await inside.connect();
      const { rows } = await inside.query<{ role: string }>(
        "SELECT r.rolname AS role FROM pg_namespace n JOIN pg_roles r ON r.oid = n.nspowner WHERE n.nspname LIKE 't\\_%'",
      );
      await inside.end();
      const outside = new pg.Client({ connectionString: testAdminUrl() });
      await outside.connect();
      try {
        await outside.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
        for (const { role } of rows) {
          await outside.query(`DROP ROLE IF EXISTS "${role.replaceAll('"', '""')}"`).catch(() => undefined);
        }
      } finally {
        await outside.end();
      }
    },
  };
}
