import { BUDGETS, checkBudgets, initialFiles } from './size-budget.js';

describe('the console’s size budget', () => {
  it('counts as the first load exactly what index.html loads: its module script, preloads and stylesheets', () => {
    const html = `<!doctype html><html><head>
<script type="module" crossorigin src="/console/assets/index-Ab12Cd34.js"></script>
<link rel="modulepreload" crossorigin href="/console/assets/vendor-Zz99Yy88.js">
<link rel="stylesheet" crossorigin href="/console/assets/index-Qq11Ww22.css">
<link rel="icon" href="data:,">
</head><body><div id="root"></div></body></html>`;
    expect(initialFiles(html)).toEqual(['assets/index-Ab12Cd34.js', 'assets/index-Qq11Ww22.css', 'assets/vendor-Zz99Yy88.js']);
  });

  it('fails the build over a budget and says by how much', () => {
    expect(checkBudgets({ initial: BUDGETS.initial, total: BUDGETS.total }).ok).toBe(true);
    const over = checkBudgets({ initial: BUDGETS.initial + 2048, total: 1024 });
    expect(over.ok).toBe(false);
    expect(over.lines[0]).toContain('OVER by 2.0 kB');
  });
});
