import { toCsv } from '@mindbot/http';
import type { TenantScope } from '@mindbot/db';

export interface UsageDay {
  date: string;
  sessions: number;
  usageSeconds: number;
  purchasesPaid: number;
}
export interface RevenueDay {
  date: string;
  currency: string;
  grossCents: number;
  platformFeeCents: number;
  netCents: number;
  refundedCents: number;
}
export interface PackagePopularity {
  packageId: string;
  packageName: string;
  currency: string;
  purchases: number;
  grossCents: number;
}
export interface Report {
  from: string;
  to: string;
  usage: UsageDay[];
  revenue: RevenueDay[];
  packages: PackagePopularity[];
}

/** UTC days, both included, as YYYY-MM-DD. */
export interface ReportRange {
  from: string;
  to: string;
}

/** The instants [start, end) a range of UTC days covers. */
export function instantsOf(range: ReportRange): { start: Date; end: Date } {
  const start = new Date(`${range.from}T00:00:00Z`);
  return { start, end: new Date(new Date(`${range.to}T00:00:00Z`).getTime() + 86_400_000) };
}

export interface UsageTotals {
  sessions: number;
  seconds: number;
  revenueCents: number;
}

/**
 * What the by-day report of the same range adds up to: sessions started, seconds the ledger charged,
 * and gross paid in `currency`. Counted by the same rules as buildReport, so the two always agree.
 */
export async function usageTotals(scope: TenantScope, range: ReportRange, currency: string): Promise<UsageTotals> {
  const { start, end } = instantsOf(range);
  return scope.transaction(
    async (tx) => {
      const [row] = await tx.$queryRaw<{ sessions: bigint; seconds: bigint; revenueCents: bigint }[]>`
        SELECT
          (SELECT count(*) FROM voice_sessions WHERE started_at >= ${start} AND started_at < ${end}) AS sessions,
          (SELECT COALESCE(-sum(seconds), 0) FROM ledger_entries WHERE kind = 'usage' AND created_at >= ${start} AND created_at < ${end}) AS seconds,
          (SELECT COALESCE(sum(amount_cents), 0) FROM purchases WHERE paid_at >= ${start} AND paid_at < ${end} AND currency = ${currency}) AS "revenueCents"`;
      return { sessions: Number(row?.sessions ?? 0), seconds: Number(row?.seconds ?? 0), revenueCents: Number(row?.revenueCents ?? 0) };
    },
    { isolationLevel: 'RepeatableRead' },
  );
}

/**
 * Sessions, minutes, revenue and package popularity per UTC day, for [from, to] inclusive.
 * Usage is what the ledger charged (usage entries), revenue what was paid (refunds shown apart).
 */
export async function buildReport(scope: TenantScope, range: ReportRange): Promise<Report> {
  const { start, end } = instantsOf(range);
  return scope.transaction(
    async (tx) => {
      const usage = await tx.$queryRaw<UsageDay[]>`
        WITH days AS (SELECT generate_series(${start}::timestamptz, ${end}::timestamptz - interval '1 day', interval '1 day') AS day)
        SELECT to_char(d.day AT TIME ZONE 'UTC', 'YYYY-MM-DD') AS date,
          (SELECT count(*)::int FROM voice_sessions s WHERE s.started_at >= d.day AND s.started_at < d.day + interval '1 day') AS "sessions",
          (SELECT COALESCE(-sum(e.seconds), 0)::int FROM ledger_entries e WHERE e.kind = 'usage' AND e.created_at >= d.day AND e.created_at < d.day + interval '1 day') AS "usageSeconds",
          (SELECT count(*)::int FROM purchases p WHERE p.paid_at >= d.day AND p.paid_at < d.day + interval '1 day') AS "purchasesPaid"
        FROM days d ORDER BY d.day`;
      const revenue = await tx.$queryRaw<RevenueDay[]>`
        SELECT to_char(paid_at AT TIME ZONE 'UTC', 'YYYY-MM-DD') AS date, currency,
          sum(amount_cents)::int AS "grossCents",
          sum(application_fee_cents)::int AS "platformFeeCents",
          sum(amount_cents - application_fee_cents)::int AS "netCents",
          COALESCE(sum(CASE WHEN status IN ('refunded', 'disputed') THEN amount_cents ELSE refunded_cents END), 0)::int AS "refundedCents"
        FROM purchases WHERE paid_at >= ${start} AND paid_at < ${end}
        GROUP BY 1, 2 ORDER BY 1, 2`;
      const packages = await tx.$queryRaw<PackagePopularity[]>`
        SELECT package_id AS "packageId", package_name AS "packageName", currency, count(*)::int AS purchases, sum(amount_cents)::int AS "grossCents"
        FROM purchases WHERE paid_at >= ${start} AND paid_at < ${end}
        GROUP BY 1, 2, 3 ORDER BY purchases DESC, 1`;
      return { from: range.from, to: range.to, usage, revenue, packages };
    },
    { isolationLevel: 'RepeatableRead' },
  );
}

/** One view of a report as CSV: usage (sessions and minutes), revenue, or packages (popularity). */
export function reportCsv(report: Report, view: 'usage' | 'revenue' | 'packages'): string {
  switch (view) {
    case 'usage':
      return toCsv(report.usage, ['date', 'sessions', 'usageSeconds', 'purchasesPaid']);
    case 'revenue':
      return toCsv(report.revenue, ['date', 'currency', 'grossCents', 'platformFeeCents', 'netCents', 'refundedCents']);
    case 'packages':
      return toCsv(report.packages, ['packageId', 'packageName', 'currency', 'purchases', 'grossCents']);
  }
}
