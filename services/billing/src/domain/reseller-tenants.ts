import type { PlatformClient, TenantClients } from '@mindbot/db';
import type { TenantRecord, TenantRegistry } from '@mindbot/tenant-registry';
import { childTenantSlugs } from '../data/child-tenants.js';
import { usageTotals, type ReportRange, type UsageTotals } from './reports.js';

export interface ResellerTenant {
  slug: string;
  displayName: string;
  region: string;
  status: string;
  origin: string;
  consoleUrl: string;
  /** Null when the child's data is not in this region's database. */
  sessions: number | null;
  seconds: number | null;
  revenueCents: number | null;
  currency: string;
}

export interface ResellerTenantList {
  from: string;
  to: string;
  tenants: ResellerTenant[];
  nextCursor: string | null;
}

export interface ResellerTenantsDeps {
  platform: PlatformClient;
  registry: TenantRegistry;
  tenants: TenantClients;
}

/** Children's schemas read at once: enough to be quick, few enough to leave the pool to everyone else. */
const PARALLEL_READS = 4;

/**
 * The tenants whose manifest names `reseller` as `parentReseller`, each with its usage and revenue
 * over `range` (the figures its own by-day report adds up to, in its own currency). Only the
 * reseller's own children: the parent is the caller's tenant, never a parameter.
 */
export async function listResellerTenants(
  deps: ResellerTenantsDeps,
  reseller: string,
  range: ReportRange,
  page: { limit: number; after?: string; originOf: (tenant: TenantRecord) => string },
): Promise<ResellerTenantList> {
  const slugs = await childTenantSlugs(deps.platform, reseller, {
    take: page.limit + 1,
    ...(page.after === undefined ? {} : { after: page.after }),
  });
  const shown = slugs.slice(0, page.limit);
  const records = (await Promise.all(shown.map((slug) => deps.registry.bySlug(slug)))).filter(
    (record): record is TenantRecord => record !== null,
  );
  const tenants: ResellerTenant[] = [];
  for (let i = 0; i < records.length; i += PARALLEL_READS) {
    const batch = records.slice(i, i + PARALLEL_READS);
    const figures = await Promise.all(batch.map((record) => figuresOf(deps.tenants, record, range)));
    batch.forEach((record, j) => tenants.push(viewOf(record, figures[j] ?? null, page.originOf(record))));
  }
  return { from: range.from, to: range.to, tenants, nextCursor: slugs.length > page.limit ? (shown.at(-1) ?? null) : null };
}

/** Only a schema in this database can be read: the child's home region reports the others. */
function figuresOf(tenants: TenantClients, record: TenantRecord, range: ReportRange): Promise<UsageTotals | null> {
  const readable = record.home && (record.status === 'active' || record.status === 'suspended');
  return readable ? usageTotals(tenants.forTenant(record.slug), range, record.billing.currency) : Promise.resolve(null);
}

function viewOf(record: TenantRecord, figures: UsageTotals | null, origin: string): ResellerTenant {
  return {
    slug: record.slug,
    displayName: record.displayName,
    region: record.region,
    status: record.status,
    origin,
    consoleUrl: `${origin}/console/`,
    sessions: figures?.sessions ?? null,
    seconds: figures?.seconds ?? null,
    revenueCents: figures?.revenueCents ?? null,
    currency: record.billing.currency,
  };
}
