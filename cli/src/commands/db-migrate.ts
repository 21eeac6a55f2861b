import type { CliContext } from '../context.js';
import { progressReporter } from '../progress.js';

/** Migrates the platform schema (done when the context opens) and every tenant schema homed in this database. */
export async function dbMigrate(context: CliContext, out: (line: string) => void): Promise<void> {
  const tenants = await context.platform.tenant.findMany({
    where: { home: true },
    select: { slug: true, schemaName: true },
    orderBy: { slug: 'asc' },
  });
  const report = progressReporter(tenants.length);
  const targets = tenants.flatMap((t) => (t.schemaName ? [{ kind: 'tenant' as const, schema: t.schemaName, role: t.schemaName }] : []));
  const results = await context.migrations.migrateMany(targets, ({ done, result, ms }) => {
    report(
      done,
      `${result.schema}: ${result.applied.length === 0 ? 'up to date' : `applied ${result.applied.join(', ')}`} (${ms.toFixed(0)} ms)`,
    );
  });
  const applied = results.reduce((n, r) => n + r.applied.length, 0);
  out(`Platform schema up to date; ${results.length} tenant schema(s) checked, ${applied} migration(s) applied.`);
}
