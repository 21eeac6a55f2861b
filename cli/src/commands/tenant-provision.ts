import { readFile } from 'node:fs/promises';
import { ManifestError, parseTenantManifests, type TenantManifest } from '@mindbot/tenancy';
import type { CliContext } from '../context.js';
import { progressReporter } from '../progress.js';

/** Reads and validates every file before anything is provisioned: one bad manifest stops the whole run. */
export async function readManifests(files: readonly string[]): Promise<TenantManifest[]> {
  const manifests: TenantManifest[] = [];
  const problems: ManifestError[] = [];
  for (const file of files) {
    try {
      manifests.push(...parseTenantManifests(await readFile(file, 'utf8'), file));
    } catch (error) {
      if (error instanceof ManifestError) problems.push(error);
      else if (error instanceof Error && 'code' in error && error.code === 'ENOENT')
        problems.push(new ManifestError(file, [{ path: '(file)', message: 'does not exist' }]));
      else throw error;
    }
  }
  const seen = new Map<string, string>();
  for (const m of manifests) {
    const slug = m.metadata.name;
    if (seen.has(slug))
      problems.push(new ManifestError('manifests', [{ path: 'metadata.name', message: `tenant "${slug}" is given more than once` }]));
    seen.set(slug, slug);
  }
  if (problems.length > 0) throw new AggregateError(problems, problems.map((p) => p.message).join('\n'));
  return parentsFirst(manifests);
}

/** A reseller must be registered before the tenants that name it as their parent. */
function parentsFirst(manifests: TenantManifest[]): TenantManifest[] {
  const bySlug = new Map(manifests.map((m) => [m.metadata.name, m]));
  const ordered: TenantManifest[] = [];
  const visited = new Set<string>();
  const visit = (m: TenantManifest, depth: number) => {
    if (visited.has(m.metadata.name) || depth > manifests.length) return;
    const parent = m.spec.parentReseller ? bySlug.get(m.spec.parentReseller) : undefined;
    if (parent && parent !== m) visit(parent, depth + 1);
    visited.add(m.metadata.name);
    ordered.push(m);
  };
  for (const m of manifests) visit(m, 0);
  return ordered;
}

/** The billing step after the registry: the tenant's Stripe Connect account and whether it can sell. */
async function billingStep(context: CliContext, manifest: TenantManifest): Promise<string> {
  if (!context.billing) return 'billing: not configured (STRIPE_SECRET_KEY is unset)';
  try {
    const result = await context.billing.ensure(manifest);
    const account = `Stripe account ${result.stripeAccountId}${result.created ? ' created' : ''}`;
    return result.condition.status === 'True'
      ? `billing: ${account}, sales open`
      : `billing: ${account}, not selling yet (${result.condition.reason}: ${result.condition.message})`;
  } catch (error) {
    throw new Error(`billing: ${error instanceof Error ? error.message : String(error)}`, { cause: error });
  }
}

export async function tenantProvision(
  context: CliContext,
  manifests: readonly TenantManifest[],
  out: (line: string) => void,
): Promise<number> {
  const report = progressReporter(manifests.length);
  const counts = { created: 0, updated: 0, unchanged: 0, failed: 0 };
  for (const [index, manifest] of manifests.entries()) {
    const started = performance.now();
    try {
      const outcome = await context.provisioner.provision(manifest);
      const billing = await billingStep(context, manifest);
      counts[outcome.action] += 1;
      const where = outcome.home ? outcome.region : `${outcome.region}, registered only (data lives in its own region)`;
      const migrations = outcome.migrationsApplied.length > 0 ? `, ${outcome.migrationsApplied.length} migration(s)` : '';
      report(
        index + 1,
        `${outcome.slug}: ${outcome.action} (${where}${migrations}) ${(performance.now() - started).toFixed(0)} ms; ${billing}`,
      );
    } catch (error) {
      counts.failed += 1;
      report(index + 1, `${manifest.metadata.name}: FAILED — ${error instanceof Error ? error.message : String(error)}`, true);
    }
  }
  out(
    `${manifests.length} tenant(s): ${counts.created} created, ${counts.updated} updated, ${counts.unchanged} unchanged, ${counts.failed} failed.`,
  );
  return counts.failed;
}
