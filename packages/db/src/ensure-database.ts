import pg from 'pg';
import { quoteIdent } from './quote-ident.js';

/** Creates the URL's database when the server does not have it yet (first start on a new server). */
export async function ensureDatabase(url: string): Promise<{ created: boolean }> {
  const target = new URL(url);
  const name = decodeURIComponent(target.pathname.replace(/^\//, '')) || 'postgres';
  const maintenance = new URL(url);
  maintenance.pathname = '/postgres';
  const client = new pg.Client({ connectionString: maintenance.toString(), connectionTimeoutMillis: 5_000 });
  await client.connect();
  try {
    const exists = await client.query('SELECT 1 FROM pg_database WHERE datname = $1', [name]);
    if (exists.rowCount !== 0) return { created: false };
    await client.query(`CREATE DATABASE ${quoteIdent(name)}`).catch((error: unknown) => {
      // Another process created it meanwhile.
      if (!(error instanceof Error && 'code' in error && error.code === '42P04')) throw error;
    });
    return { created: true };
  } finally {
    await client.end();
  }
}
