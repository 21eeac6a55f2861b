// The cost of the tenant-scoped client (a transaction that switches role and search_path: through
// Prisma, and the light `read` path over pg) against a plain pooled query and a plain pooled
// transaction, measured in the same run on the same data.
//   npm run bench:tenant-client     (BENCH_ITERATIONS=2000 by default)
import { PrismaPg } from '@prisma/adapter-pg';
import { createPool, ensureTenantSchema, MigrationRunner, PrismaClient, TenantClients } from '@mindbot/db';
import { schemaNameOf } from '@mindbot/tenancy';
import { createTestDatabase } from '@mindbot/testing';
import { median, ms, percentile } from './stats.js';

process.env.TEST_DATABASE_ADMIN_URL ??= process.env.BENCH_DATABASE_ADMIN_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
const iterations = Number(process.env.BENCH_ITERATIONS ?? 2000);
const slug = 'bench-client';
const schema = schemaNameOf(slug);

const database = await createTestDatabase();
const pool = createPool(database.url, { max: 4 });
const clients = new TenantClients(pool);
// Attribution: the same Prisma transaction without switching role, to separate Prisma's cost from ours.
const plainPrisma = new PrismaClient({ adapter: new PrismaPg(pool, { schema }) });
try {
  const runner = await MigrationRunner.load(pool);
  await runner.migrate({ kind: 'platform', schema: 'platform' });
  await ensureTenantSchema(pool, slug);
  await runner.migrate({ kind: 'tenant', schema, role: schema });
  await pool.query(
    `INSERT INTO "${schema}".users (id, email) SELECT 'usr_' || g, 'u' || g || '@bench.example' FROM generate_series(1, 1000) g`,
  );

  const variants: Record<string, () => Promise<unknown>> = {
    'plain pooled query (baseline)': () => pool.query(`SELECT id, email FROM "${schema}".users WHERE id = $1`, ['usr_500']),
    'plain pooled transaction': async () => {
      const client = await pool.connect();
      try {
        await client.query('BEGIN');
        await client.query(`SELECT id, email FROM "${schema}".users WHERE id = $1`, ['usr_500']);
        await client.query('COMMIT');
      } finally {
        client.release();
      }
    },
    'Prisma interactive transaction, no role': () =>
      plainPrisma.$transaction((tx) => tx.user.findUnique({ where: { id: 'usr_500' }, select: { id: true, email: true } })),
    'tenant-scoped transaction (Prisma)': () =>
      clients.forTenant(slug).transaction((tx) => tx.user.findUnique({ where: { id: 'usr_500' }, select: { id: true, email: true } })),
    // The light path for hot reads: BEGIN READ ONLY + SET LOCAL ROLE + SET LOCAL search_path in one round trip, then the read, then COMMIT.
    'tenant-scoped read (pg)': () => clients.forTenant(slug).read((sql) => sql`SELECT id, email FROM users WHERE id = ${'usr_500'}`),
    // One statement without values: BEGIN, both SET LOCALs, the read and COMMIT in one round trip.
    'tenant-scoped select, one round trip': () => clients.forTenant(slug).select`SELECT id, email FROM users WHERE id = 'usr_500'`,
  };

  const results: Record<string, number> = {};
  // Interleave the variants round by round so machine noise hits all of them alike.
  const samples = Object.fromEntries(Object.keys(variants).map((k) => [k, [] as number[]]));
  for (let round = 0; round < 5; round++) {
    for (const [name, fn] of Object.entries(variants)) {
      for (let i = 0; i < 50; i++) await fn(); // warm-up
      for (let i = 0; i < iterations / 5; i++) {
        const started = performance.now();
        await fn();
        samples[name]?.push(performance.now() - started);
      }
    }
  }
  console.log(`\nPer-transaction latency, ${iterations} sequential calls each (median / p99):`);
  for (const [name, values] of Object.entries(samples)) {
    results[name] = median(values);
    console.log(`  ${name.padEnd(38)} ${ms(median(values)).padStart(9)}  ${ms(percentile(values, 99)).padStart(9)}`);
  }
  const query = results['plain pooled query (baseline)'] ?? Number.NaN;
  const transaction = results['plain pooled transaction'] ?? Number.NaN;
  for (const name of ['tenant-scoped transaction (Prisma)', 'tenant-scoped read (pg)', 'tenant-scoped select, one round trip']) {
    const scoped = results[name] ?? Number.NaN;
    console.log(
      `  ${name}: ${(scoped / transaction).toFixed(2)}x a plain pooled transaction, ${(scoped / query).toFixed(2)}x a plain pooled query (overhead ${ms(scoped - transaction)} per transaction)`,
    );
  }
} finally {
  await clients.close();
  await plainPrisma.$disconnect();
  await pool.end();
  await database.dispose();
}
