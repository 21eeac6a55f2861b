import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { get_dmmf } from '@prisma/prisma-schema-wasm';
import { createTestDatabase, type TestDatabase } from '@mindbot/testing';
import { createPool, type Pool } from './pool.js';
import { MigrationRunner } from './migrations/migration-runner.js';
import { ensureTenantSchema } from './tenant-schema.js';
import { TENANT_MODEL_DELEGATES } from './model-kinds.js';

// Keeps prisma/schema.prisma and the SQL migrations in agreement: every model's table, columns,
// column types and nullability must be what the migrations create, and no migrated table may be
// missing from the schema.

interface DmmfField {
  name: string;
  dbName: string | null;
  kind: string;
  type: string;
  isList: boolean;
  isRequired: boolean;
}
interface DmmfModel {
  name: string;
  dbName: string | null;
  documentation?: string;
  fields: DmmfField[];
}

const schemaText = readFileSync(fileURLToPath(new URL('../../../prisma/schema.prisma', import.meta.url)), 'utf8');
const models = (JSON.parse(get_dmmf(JSON.stringify({ prismaSchema: schemaText }))) as { datamodel: { models: DmmfModel[] } }).datamodel
  .models;

const POSTGRES_TYPE: Record<string, string> = {
  String: 'text',
  Boolean: 'bool',
  Json: 'jsonb',
  DateTime: 'timestamptz',
  Int: 'int4',
  BigInt: 'int8',
  Float: 'float8',
  Decimal: 'numeric',
};

function schemaKindOf(model: DmmfModel): 'platform' | 'tenant' | undefined {
  const match = /@schema (platform|tenant)/.exec(model.documentation ?? '');
  return match?.[1] as 'platform' | 'tenant' | undefined;
}

function expectedColumns(model: DmmfModel): Record<string, string> {
  return Object.fromEntries(
    model.fields
      .filter((f) => f.kind === 'scalar' || f.kind === 'enum')
      .map((f) => [
        f.dbName ?? f.name,
        `${f.isList ? '_' : ''}${POSTGRES_TYPE[f.type] ?? `unknown:${f.type}`} ${f.isRequired || f.isList ? 'not null' : 'null'}`,
      ]),
  );
}

describe('schema.prisma and the migrations', () => {
  let database: TestDatabase;
  let pool: Pool;
  const tenantSchema = 't_schema_check';

  beforeAll(async () => {
    database = await createTestDatabase();
    pool = createPool(database.url, { max: 2 });
    const runner = await MigrationRunner.load(pool);
    await runner.migrate({ kind: 'platform', schema: 'platform' });
    await ensureTenantSchema(pool, 'schema-check');
    await runner.migrate({ kind: 'tenant', schema: tenantSchema, role: tenantSchema });
  });

  afterAll(async () => {
    await pool.end();
    await database.dispose();
  });

  async function actualColumns(schema: string, table: string): Promise<Record<string, string>> {
    const { rows } = await pool.query<{ column_name: string; udt_name: string; is_nullable: string }>(
      'SELECT column_name, udt_name, is_nullable FROM information_schema.columns WHERE table_schema = $1 AND table_name = $2',
      [schema, table],
    );
    return Object.fromEntries(rows.map((r) => [r.column_name, `${r.udt_name} ${r.is_nullable === 'NO' ? 'not null' : 'null'}`]));
  }

  it('says for every model which kind of schema it lives in', () => {
    expect(models.filter((m) => schemaKindOf(m) === undefined).map((m) => m.name)).toEqual([]);
  });

  it('lists exactly the tenant models as tenant delegates in model-kinds.ts', () => {
    const delegateOf = (name: string) => name.charAt(0).toLowerCase() + name.slice(1);
    const tenantDelegates = models.filter((m) => schemaKindOf(m) === 'tenant').map((m) => delegateOf(m.name));
    expect([...TENANT_MODEL_DELEGATES].sort()).toEqual(tenantDelegates.sort());
  });

  it.each(models.map((m) => [m.name, m] as const))(
    'migrates model %s into a table with the same columns, types and nullability',
    async (_name, model) => {
      const schema = schemaKindOf(model) === 'platform' ? 'platform' : tenantSchema;
      expect(await actualColumns(schema, model.dbName ?? model.name)).toEqual(expectedColumns(model));
    },
  );

  it('has no migrated table that schema.prisma does not describe', async () => {
    const { rows } = await pool.query<{ table_schema: string; table_name: string }>(
      "SELECT table_schema, table_name FROM information_schema.tables WHERE table_schema IN ('platform', $1) AND table_type = 'BASE TABLE'",
      [tenantSchema],
    );
    const described = new Set(models.map((m) => `${schemaKindOf(m) === 'platform' ? 'platform' : tenantSchema}.${m.dbName ?? m.name}`));
    expect(rows.map((r) => `${r.table_schema}.${r.table_name}`).filter((t) => !described.has(t))).toEqual([]);
  });
});
