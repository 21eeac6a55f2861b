import type { Report } from '../../api/console-api.js';
import { dailySeries, daysBetween, mainCurrency, totalsOf } from './report-series.js';

const report: Report = {
  from: '2026-03-30',
  to: '2026-04-02',
  usage: [
    { date: '2026-03-30', sessions: 2, usageSeconds: 150, purchasesPaid: 1 },
    { date: '2026-04-01', sessions: 1, usageSeconds: 60, purchasesPaid: 0 },
  ],
  revenue: [
    { date: '2026-03-30', currency: 'eur', grossCents: 999, platformFeeCents: 100, netCents: 899, refundedCents: 0 },
    { date: '2026-04-02', currency: 'eur', grossCents: 500, platformFeeCents: 50, netCents: 450, refundedCents: 0 },
    { date: '2026-04-02', currency: 'usd', grossCents: 300, platformFeeCents: 30, netCents: 270, refundedCents: 0 },
  ],
  packages: [],
};

describe('the usage charts’ series', () => {
  it('has one point per day of the range, across a month end, days without activity as zeros', () => {
    expect(daysBetween('2026-03-30', '2026-04-02')).toEqual(['2026-03-30', '2026-03-31', '2026-04-01', '2026-04-02']);
    expect(dailySeries(report, 'eur')).toEqual([
      { date: '2026-03-30', minutes: 2.5, sessions: 2, purchases: 1, revenueCents: 999 },
      { date: '2026-03-31', minutes: 0, sessions: 0, purchases: 0, revenueCents: 0 },
      { date: '2026-04-01', minutes: 1, sessions: 1, purchases: 0, revenueCents: 0 },
      { date: '2026-04-02', minutes: 0, sessions: 0, purchases: 0, revenueCents: 500 },
    ]);
  });

  it('charts the currency most revenue is in, and totals the same numbers as the report', () => {
    expect(mainCurrency(report, 'usd')).toBe('eur');
    expect(mainCurrency({ ...report, revenue: [] }, 'gbp')).toBe('gbp');
    expect(totalsOf(dailySeries(report, 'eur'))).toEqual({ minutes: 3.5, sessions: 3, purchases: 1, revenueCents: 1499 });
  });
});
