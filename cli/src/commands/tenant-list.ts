import type { CliContext } from '../context.js';

export async function tenantList(context: CliContext, options: { json: boolean }, out: (line: string) => void): Promise<void> {
  const tenants = await context.platform.tenant.findMany({
    orderBy: { slug: 'asc' },
    select: {
      slug: true,
      displayName: true,
      region: true,
      status: true,
      home: true,
      schemaName: true,
      plan: true,
      domains: { select: { domain: true } },
    },
  });
  const rows = tenants.map((t) => ({ ...t, domains: t.domains.map((d) => d.domain) }));
  if (options.json) {
    out(JSON.stringify(rows, null, 2));
    return;
  }
  if (rows.length === 0) {
    out('No tenants. Provision one with: mindbot tenant provision examples/tenants/acme.yaml');
    return;
  }
  const header = ['SLUG', 'REGION', 'STATUS', 'HOME', 'PLAN', 'DOMAINS', 'NAME'];
  const table = [
    header,
    ...rows.map((r) => [r.slug, r.region, r.status, r.home ? 'yes' : 'no', r.plan, r.domains.join(',') || '-', r.displayName]),
  ];
  const widths = header.map((_, i) => Math.max(...table.map((row) => (row[i] ?? '').length)));
  for (const row of table)
    out(
      row
        .map((cell, i) => cell.padEnd(widths[i] ?? 0))
        .join('  ')
        .trimEnd(),
    );
}
