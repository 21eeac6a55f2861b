import type { CliContext } from '../context.js';

export async function tenantDeprovision(
  context: CliContext,
  slug: string,
  options: { dropData: boolean },
  out: (line: string) => void,
): Promise<void> {
  // Sales stop first; the Stripe account itself stays with the tenant (ADR 0020).
  await context.billing?.close(slug);
  const result = await context.provisioner.deprovision(slug, options);
  out(
    context.billing
      ? `Tenant "${slug}": billing account closed (sales stopped; the Stripe account stays with the tenant).`
      : 'billing: not configured (STRIPE_SECRET_KEY is unset)',
  );
  if (result.schemaDropped)
    out(`Tenant "${slug}" deprovisioned; its schema and data were dropped${result.roleDropped ? ', and its role' : ''}.`);
  else out(`Tenant "${slug}" deprovisioned; its schema was kept (provision it again to restore, or rerun with --drop-data).`);
}
