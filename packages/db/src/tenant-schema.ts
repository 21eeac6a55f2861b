import type pg from 'pg';
import { roleNameOf, schemaNameOf } from '@mindbot/tenancy';
import { quoteIdent } from './quote-ident.js';
import { retryingWhenRoleDropped } from './role-dropped-retry.js';
import { withSchemaLock } from './schema-lock.js';

/**
 * Creates the tenant's role (NOLOGIN: reachable only through SET ROLE by the platform's own login)
 * and its schema, owned by that role, usable by nobody else. Idempotent; serialised per schema.
 */
export async function ensureTenantSchema(pool: pg.Pool, slug: string): Promise<{ schema: string; role: string; created: boolean }> {
  const schema = schemaNameOf(slug);
  const role = roleNameOf(slug);
  return retryingWhenRoleDropped(() =>
    withSchemaLock(pool, schema, async (client) => {
      const existing = await client.query<{ exists: boolean }>('SELECT EXISTS (SELECT 1 FROM pg_namespace WHERE nspname = $1) AS exists', [
        schema,
      ]);
      const roleExists = await client.query('SELECT 1 FROM pg_roles WHERE rolname = $1', [role]);
      if (roleExists.rowCount === 0) {
        // Roles are cluster-wide: another database on this server may have made it meanwhile.
        await client.query(
          `DO $$ BEGIN CREATE ROLE ${quoteIdent(role)} NOLOGIN NOINHERIT; EXCEPTION WHEN duplicate_object OR unique_violation THEN NULL; END $$`,
        );
      }
      const me = await client.query<{ rolsuper: boolean }>('SELECT rolsuper FROM pg_roles WHERE rolname = current_user');
      if (me.rows[0]?.rolsuper !== true) {
        // A non-superuser platform login must be a member of the tenant role to SET ROLE to it.
        await client.query(`GRANT ${quoteIdent(role)} TO CURRENT_USER`);
      }
      await client.query(`CREATE SCHEMA IF NOT EXISTS ${quoteIdent(schema)} AUTHORIZATION ${quoteIdent(role)}`);
      await client.query(`REVOKE ALL ON SCHEMA ${quoteIdent(schema)} FROM PUBLIC`);
      return { schema, role, created: existing.rows[0]?.exists !== true };
    }),
  );
}

export async function dropTenantSchema(pool: pg.Pool, slug: string): Promise<{ roleDropped: boolean }> {
  const schema = schemaNameOf(slug);
  const role = roleNameOf(slug);
  await withSchemaLock(pool, schema, async (client) => {
    await client.query(`DROP SCHEMA IF EXISTS ${quoteIdent(schema)} CASCADE`);
    await client.query('DELETE FROM platform.schema_migrations WHERE schema_name = $1', [schema]);
  });
  try {
    const exists = await pool.query('SELECT 1 FROM pg_roles WHERE rolname = $1', [role]);
    if (exists.rowCount === 0) return { roleDropped: false };
    await pool.query(`DROP OWNED BY ${quoteIdent(role)}`);
    await pool.query(`DROP ROLE ${quoteIdent(role)}`);
    return { roleDropped: true };
  } catch {
    // The role still owns objects in another database of this server (another region, locally).
    return { roleDropped: false };
  }
}
