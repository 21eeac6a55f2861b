import type pg from 'pg';
import { quoteIdent } from '@mindbot/db';

/**
 * What one schema's catalogue holds, read from pg_catalog, and the rows its migrations put in its
 * tables, as sorted lines in which the schema's (and its role's) name reads `<schema>` (`<role>`), so
 * two tenants' schemas can be compared line by line. It says whether a schema built from the
 * baseline is the one history builds (ADR 0062): every property that makes a difference to what
 * the tenant's queries do, or to who may do them, is in it.
 */
export async function describeSchemaCatalogue(db: pg.Pool | pg.PoolClient, schema: string, role: string): Promise<string[]> {
  const lines: string[] = [];
  for (const [kind, sql] of Object.entries(QUERIES)) {
    const { rows } = await db.query<{ name: string; detail: string }>(sql, [schema]);
    for (const row of rows) lines.push(`${kind} ${row.name}: ${row.detail}`);
  }
  const tables = await db.query<{ name: string }>(
    "SELECT c.relname AS name FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = $1 AND c.relkind IN ('r', 'p')",
    [schema],
  );
  for (const { name } of tables.rows) {
    // A seed row's now() is the moment its migration's record was written (same transaction).
    const { rows } = await db.query<{ row: string }>(
      `SELECT (SELECT jsonb_object_agg(e.key, CASE WHEN jsonb_typeof(e.value) = 'string' AND e.value #>> '{}' ~ '^\\d{4}-\\d\\d-\\d\\dT\\d\\d:'
                                                    AND (e.value #>> '{}')::timestamptz(3) = ANY (b.at)
                                                   THEN to_jsonb('<built at>'::text) ELSE e.value END)
               FROM jsonb_each(to_jsonb(t)) e)::text AS row
       FROM ${quoteIdent(schema)}.${quoteIdent(name)} t,
            (SELECT array_agg(applied_at) AS at FROM platform.schema_migrations WHERE schema_name = $1) b`,
      [schema],
    );
    for (const row of rows) lines.push(`data ${name}: ${row.row}`);
  }
  // A tenant's role has its schema's name, which then reads `<schema>` wherever it stands.
  const names: [RegExp, string][] = [
    [schema, '<schema>'],
    [role, '<role>'],
  ].map(([name = '', to = '']) => [new RegExp(`"${escapeRegExp(name.replaceAll('"', '""'))}"|\\b${escapeRegExp(name)}\\b`, 'g'), to]);
  const normalised = lines.map((line) => names.reduce((text, [pattern, to]) => text.replace(pattern, to), line));
  return normalised.sort();
}

/** The lines of `expected` missing from `actual` (-) and the lines of `actual` not in `expected` (+). */
export function catalogueDifferences(expected: readonly string[], actual: readonly string[]): string[] {
  const have = new Set(actual);
  const want = new Set(expected);
  return [...expected.filter((l) => !have.has(l)).map((l) => `- ${l}`), ...actual.filter((l) => !want.has(l)).map((l) => `+ ${l}`)];
}

const escapeRegExp = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

// Every query takes the schema's name as $1 and answers (name, detail). An index's columns are in
// its definition, so columns are those of tables, views and types. Column order is the
// position among live columns: history leaves dropped columns behind as holes in attnum. A column's
// `pg_attver` option is left out: some Postgres builds (the Postgres 15 this was written against among them)
// stamp every column with it when it is created, so no two builds of the same schema agree on it.
const QUERIES: Record<string, string> = {
  schema: `
    SELECT n.nspname AS name,
           concat_ws(' | ', 'owner ' || pg_get_userbyid(n.nspowner), 'acl ' || n.nspacl::text,
                     'comment ' || obj_description(n.oid, 'pg_namespace')) AS detail
    FROM pg_namespace n WHERE n.nspname = $1`,
  relation: `
    SELECT c.relname AS name,
           concat_ws(' | ', 'kind ' || c.relkind::text, 'persistence ' || c.relpersistence::text, 'am ' || am.amname,
                     'owner ' || pg_get_userbyid(c.relowner), 'acl ' || c.relacl::text, 'options ' || c.reloptions::text,
                     'rls ' || c.relrowsecurity || '/' || c.relforcerowsecurity, 'replica identity ' || c.relreplident::text,
                     'partition key ' || pg_get_partkeydef(c.oid), 'partition of ' || pg_get_expr(c.relpartbound, c.oid),
                     'inherits ' || (SELECT string_agg(i.inhparent::regclass::text, ',' ORDER BY i.inhseqno) FROM pg_inherits i WHERE i.inhrelid = c.oid),
                     'view ' || CASE WHEN c.relkind IN ('v', 'm') THEN pg_get_viewdef(c.oid) END,
                     'comment ' || obj_description(c.oid, 'pg_class')) AS detail
    FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace LEFT JOIN pg_am am ON am.oid = c.relam
    WHERE n.nspname = $1`,
  column: `
    SELECT c.relname || '.' || a.attname AS name,
           concat_ws(' | ', 'position ' || row_number() OVER (PARTITION BY c.oid ORDER BY a.attnum),
                     'type ' || format_type(a.atttypid, a.atttypmod), 'not null ' || a.attnotnull,
                     'default ' || pg_get_expr(d.adbin, d.adrelid), 'identity ' || nullif(a.attidentity::text, ''),
                     'generated ' || nullif(a.attgenerated::text, ''), 'collation ' || co.collname,
                     'storage ' || a.attstorage::text, 'compression ' || nullif(a.attcompression::text, ''),
                     'statistics ' || a.attstattarget, 'options ' || (SELECT array_agg(o ORDER BY o) FROM unnest(a.attoptions) o WHERE o NOT LIKE 'pg\\_attver=%')::text, 'acl ' || a.attacl::text,
                     'comment ' || col_description(c.oid, a.attnum)) AS detail
    FROM pg_attribute a
    JOIN pg_class c ON c.oid = a.attrelid JOIN pg_namespace n ON n.oid = c.relnamespace
    LEFT JOIN pg_attrdef d ON d.adrelid = a.attrelid AND d.adnum = a.attnum
    LEFT JOIN pg_collation co ON co.oid = a.attcollation AND a.attcollation <> 0 AND co.collname <> 'default'
    WHERE n.nspname = $1 AND c.relkind IN ('r', 'p', 'v', 'm', 'f', 'c') AND a.attnum > 0 AND NOT a.attisdropped`,
  constraint: `
    SELECT coalesce(c.relname, t.typname) || '.' || k.conname AS name,
           concat_ws(' | ', pg_get_constraintdef(k.oid), 'deferrable ' || k.condeferrable || '/' || k.condeferred,
                     'validated ' || k.convalidated, 'comment ' || obj_description(k.oid, 'pg_constraint')) AS detail
    FROM pg_constraint k JOIN pg_namespace n ON n.oid = k.connamespace
    LEFT JOIN pg_class c ON c.oid = k.conrelid LEFT JOIN pg_type t ON t.oid = k.contypid
    WHERE n.nspname = $1`,
  index: `
    SELECT c.relname AS name,
           concat_ws(' | ', pg_get_indexdef(i.indexrelid), 'clustered ' || i.indisclustered,
                     'replica identity ' || i.indisreplident, 'valid ' || i.indisvalid) AS detail
    FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid JOIN pg_namespace n ON n.oid = c.relnamespace
    WHERE n.nspname = $1`,
  trigger: `
    SELECT c.relname || '.' || g.tgname AS name,
           concat_ws(' | ', pg_get_triggerdef(g.oid), 'enabled ' || g.tgenabled::text,
                     'comment ' || obj_description(g.oid, 'pg_trigger')) AS detail
    FROM pg_trigger g JOIN pg_class c ON c.oid = g.tgrelid JOIN pg_namespace n ON n.oid = c.relnamespace
    WHERE n.nspname = $1 AND NOT g.tgisinternal`,
  function: `
    SELECT p.oid::regprocedure::text AS name,
           concat_ws(' | ', CASE WHEN p.prokind = 'a' THEN 'aggregate' ELSE pg_get_functiondef(p.oid) END,
                     'config ' || p.proconfig::text, 'owner ' || pg_get_userbyid(p.proowner), 'acl ' || p.proacl::text,
                     'comment ' || obj_description(p.oid, 'pg_proc')) AS detail
    FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace
    WHERE n.nspname = $1`,
  sequence: `
    SELECT c.relname AS name,
           concat_ws(' | ', format_type(s.seqtypid, NULL), 'start ' || s.seqstart, 'increment ' || s.seqincrement,
                     'min ' || s.seqmin, 'max ' || s.seqmax, 'cache ' || s.seqcache, 'cycle ' || s.seqcycle,
                     'owned by ' || (SELECT t.relname || '.' || a.attname || ' (' || d.deptype::text || ')'
                                     FROM pg_depend d JOIN pg_class t ON t.oid = d.refobjid
                                     JOIN pg_attribute a ON a.attrelid = d.refobjid AND a.attnum = d.refobjsubid
                                     WHERE d.classid = 'pg_class'::regclass AND d.objid = c.oid
                                       AND d.refclassid = 'pg_class'::regclass AND d.deptype IN ('a', 'i')),
                     'last value ' || pg_sequence_last_value(c.oid)) AS detail
    FROM pg_sequence s JOIN pg_class c ON c.oid = s.seqrelid JOIN pg_namespace n ON n.oid = c.relnamespace
    WHERE n.nspname = $1`,
  type: `
    SELECT t.typname AS name,
           concat_ws(' | ', 'kind ' || t.typtype::text, 'base ' || CASE WHEN t.typbasetype <> 0 THEN format_type(t.typbasetype, t.typtypmod) END,
                     'not null ' || t.typnotnull, 'default ' || t.typdefault,
                     'labels ' || (SELECT string_agg(e.enumlabel, ',' ORDER BY e.enumsortorder) FROM pg_enum e WHERE e.enumtypid = t.oid),
                     'owner ' || pg_get_userbyid(t.typowner), 'acl ' || t.typacl::text,
                     'comment ' || obj_description(t.oid, 'pg_type')) AS detail
    FROM pg_type t JOIN pg_namespace n ON n.oid = t.typnamespace
    LEFT JOIN pg_class c ON c.oid = t.typrelid
    WHERE n.nspname = $1 AND (c.oid IS NULL OR c.relkind = 'c') AND NOT (t.typcategory = 'A' AND t.typelem <> 0)`,
  policy: `
    SELECT c.relname || '.' || p.polname AS name,
           concat_ws(' | ', 'command ' || p.polcmd::text, 'permissive ' || p.polpermissive,
                     'roles ' || (SELECT string_agg(CASE WHEN r = 0 THEN 'public' ELSE pg_get_userbyid(r) END, ',') FROM unnest(p.polroles) r),
                     'using ' || pg_get_expr(p.polqual, p.polrelid), 'check ' || pg_get_expr(p.polwithcheck, p.polrelid)) AS detail
    FROM pg_policy p JOIN pg_class c ON c.oid = p.polrelid JOIN pg_namespace n ON n.oid = c.relnamespace
    WHERE n.nspname = $1`,
  rule: `
    SELECT c.relname || '.' || r.rulename AS name, pg_get_ruledef(r.oid) AS detail
    FROM pg_rewrite r JOIN pg_class c ON c.oid = r.ev_class JOIN pg_namespace n ON n.oid = c.relnamespace
    WHERE n.nspname = $1 AND r.rulename <> '_RETURN'`,
  statistics: `
    SELECT s.stxname AS name, pg_get_statisticsobjdef(s.oid) AS detail
    FROM pg_statistic_ext s JOIN pg_namespace n ON n.oid = s.stxnamespace
    WHERE n.nspname = $1`,
};
