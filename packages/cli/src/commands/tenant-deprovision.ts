import type { CliContext } from '../context.js';

export async function tenantDeprovision(context: CliContext, slug: string, options: { dropData: boolean }, out: (line: string) => void): Promise<void> {
  const result = await context.provisioner.deprovision(slug, options);
  if (result.schemaDropped) out(`Tenant "${slug}" deprovisioned; its schema and data were dropped${result.roleDropped ? ', and its role' : ''}.`);
  else out(`Tenant "${slug}" deprovisioned; its schema was kept (provision it again to restore, or rerun with --drop-data).`);
}
