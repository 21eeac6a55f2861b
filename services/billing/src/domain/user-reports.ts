import type { TenantScope } from '@mindbot/db';
import { toCsv } from '@mindbot/http';
import { instantsOf, type ReportRange } from './reports.js';

export interface UserUsage {
  userId: string;
  /** Null when the user is gone from the tenant's users. */
  email: string | null;
  sessions: number;
  seconds: number;
  purchases: number;
  revenueCents: number;
  currency: string;
}

export interface UserReport {
  from: string;
  to: string;
  users: UserUsage[];
  nextCursor: string | null;
}

/**
 * Per user over the UTC days of `range`: sessions started, seconds the ledger charged, purchases paid
 * and what they paid in `currency` (the tenant's) — the by-day report's rules, split by user, so the
 * sums over every page equal its totals. Most seconds first (then by id, so pages are stable);
 * `offset` and `limit` page through it.
 */
export async function buildUserReport(
  scope: TenantScope,
  range: ReportRange,
  options: { currency: string; limit: number; offset: number },
): Promise<UserReport> {
  const { start, end } = instantsOf(range);
  const rows = await scope.transaction(
    (tx) => tx.$queryRaw<Omit<UserUsage, 'currency'>[]>`
      WITH s AS (
        SELECT user_id, count(*)::int AS sessions FROM voice_sessions
        WHERE started_at >= ${start} AND started_at < ${end} GROUP BY user_id
      ), u AS (
        SELECT user_id, (-sum(seconds))::int AS seconds FROM ledger_entries
        WHERE kind = 'usage' AND created_at >= ${start} AND created_at < ${end} GROUP BY user_id
      ), p AS (
        SELECT user_id, count(*)::int AS purchases,
          COALESCE(sum(amount_cents) FILTER (WHERE currency = ${options.currency}), 0)::int AS revenue_cents
        FROM purchases WHERE paid_at >= ${start} AND paid_at < ${end} GROUP BY user_id
      ), ids AS (
        SELECT user_id FROM s UNION SELECT user_id FROM u UNION SELECT user_id FROM p
      )
      SELECT ids.user_id AS "userId", usr.email,
        COALESCE(s.sessions, 0) AS sessions, COALESCE(u.seconds, 0) AS seconds,
        COALESCE(p.purchases, 0) AS purchases, COALESCE(p.revenue_cents, 0) AS "revenueCents"
      FROM ids
        LEFT JOIN s ON s.user_id = ids.user_id
        LEFT JOIN u ON u.user_id = ids.user_id
        LEFT JOIN p ON p.user_id = ids.user_id
        LEFT JOIN users usr ON usr.id = ids.user_id
      ORDER BY seconds DESC, "userId"
      LIMIT ${options.limit + 1} OFFSET ${options.offset}`,
    { isolationLevel: 'RepeatableRead' },
  );
  const more = rows.length > options.limit;
  return {
    from: range.from,
    to: range.to,
    users: rows.slice(0, options.limit).map((row) => ({ ...row, currency: options.currency })),
    nextCursor: more ? String(options.offset + options.limit) : null,
  };
}

/** The per-user report as CSV, one row per user (an unknown email is an empty cell). */
export function userReportCsv(report: UserReport): string {
  return toCsv(
    report.users.map((row) => ({ ...row, email: row.email ?? '' })),
    ['userId', 'email', 'sessions', 'seconds', 'purchases', 'revenueCents', 'currency'],
  );
}
