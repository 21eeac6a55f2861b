import { checkBudgets } from './size-budget.js';

describe('size budgets', () => {
  it('passes within the budgets and reports each part', () => {
    const report = checkBudgets({ loader: 5 * 1024, app: 100 * 1024 }, { loader: 10 * 1024, app: 200 * 1024 });
    expect(report.ok).toBe(true);
    expect(report.lines).toEqual([
      'loader    5.0 kB gzipped, budget 10.0 kB: 50% left',
      'app     100.0 kB gzipped, budget 200.0 kB: 50% left',
    ]);
  });

  it('fails when one part is over', () => {
    const report = checkBudgets({ loader: 16 * 1024, app: 1 }, { loader: 15 * 1024, app: 10 });
    expect(report.ok).toBe(false);
    expect(report.lines[0]).toContain('OVER by 1.0 kB');
  });
});
