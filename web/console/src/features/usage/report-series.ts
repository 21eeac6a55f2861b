import type { Report } from '../../api/console-api.js';

export interface DayPoint {
  date: string;
  minutes: number;
  sessions: number;
  purchases: number;
  /** Gross revenue of the day in the chosen currency's minor units. */
  revenueCents: number;
}

/** Every day from `from` to `to` (inclusive, `YYYY-MM-DD`, UTC). */
export function daysBetween(from: string, to: string): string[] {
  const days: string[] = [];
  const end = Date.parse(`${to}T00:00:00Z`);
  for (let at = Date.parse(`${from}T00:00:00Z`); at <= end && days.length < 400; at += 86_400_000) {
    days.push(new Date(at).toISOString().slice(0, 10));
  }
  return days;
}

/** The currency most of the revenue is in (a tenant sells in one; older packages may differ). */
export function mainCurrency(report: Report, fallback: string): string {
  const totals = new Map<string, number>();
  for (const row of report.revenue) totals.set(row.currency, (totals.get(row.currency) ?? 0) + row.grossCents);
  return [...totals.entries()].sort((a, b) => b[1] - a[1])[0]?.[0] ?? fallback;
}

/** The report as one point per day of its range (days without activity as zeros), revenue in `currency`. */
export function dailySeries(report: Report, currency: string): DayPoint[] {
  const usage = new Map(report.usage.map((row) => [row.date.slice(0, 10), row]));
  const revenue = new Map<string, number>();
  for (const row of report.revenue) {
    if (row.currency !== currency) continue;
    const date = row.date.slice(0, 10);
    revenue.set(date, (revenue.get(date) ?? 0) + row.grossCents);
  }
  return daysBetween(report.from, report.to).map((date) => {
    const day = usage.get(date);
    return {
      date,
      minutes: Math.round(((day?.usageSeconds ?? 0) / 60) * 10) / 10,
      sessions: day?.sessions ?? 0,
      purchases: day?.purchasesPaid ?? 0,
      revenueCents: revenue.get(date) ?? 0,
    };
  });
}

export function totalsOf(points: readonly DayPoint[]): Omit<DayPoint, 'date'> {
  return points.reduce(
    (sum, p) => ({
      minutes: sum.minutes + p.minutes,
      sessions: sum.sessions + p.sessions,
      purchases: sum.purchases + p.purchases,
      revenueCents: sum.revenueCents + p.revenueCents,
    }),
    { minutes: 0, sessions: 0, purchases: 0, revenueCents: 0 },
  );
}
