import type { CliContext } from '../context.js';

/**
 * Sets how long a tenant's audit log keeps its entries (platform.tenant_audit_settings, ADR 0059);
 * the daily purge applies it. Answers whether it was set.
 */
export async function auditRetention(
  context: CliContext,
  input: { tenant: string; days: string; actor: string },
  io: { out: (line: string) => void; err: (line: string) => void },
): Promise<boolean> {
  const days = /^[0-9]{1,4}$/.test(input.days) ? Number(input.days) : NaN;
  if (!(days >= 30 && days <= 3650)) {
    io.err(`Retention must be a whole number of days from 30 to 3650, not "${input.days}".`);
    return false;
  }
  const tenant = await context.platform.tenant.findUnique({ where: { slug: input.tenant }, select: { slug: true } });
  if (!tenant) {
    io.err(`No tenant "${input.tenant}".`);
    return false;
  }
  await context.platform.tenantAuditSetting.upsert({
    where: { slug: tenant.slug },
    create: { slug: tenant.slug, retentionDays: days, updatedBy: input.actor },
    update: { retentionDays: days, updatedBy: input.actor, updatedAt: new Date() },
  });
  io.out(`${tenant.slug}: audit entries are kept for ${days} days (older ones are removed by the daily purge).`);
  return true;
}
