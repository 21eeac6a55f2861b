/** Gzipped size budgets of the console, checked after every build (`npm run build -w web/console`, `npm run size -w web/console`). */
export const BUDGETS = {
  /**
   * What the first page load needs: index.html's scripts and styles (React, the router, React Query,
   * the form library, the data layer and the SDK's schemas): 149 kB when the budget was set (Dec 2026), plus about 15 %.
   */
  initial: 172 * 1024,
  /** Every file under assets/: the pages' chunks too, the usage page's chart library (≈ 113 kB) among them: 276 kB then, plus about 15 %. */
  total: 318 * 1024,
} as const;

export type Part = keyof typeof BUDGETS;

const kb = (bytes: number): string => `${(bytes / 1024).toFixed(1)} kB`;

/** One line per part (size, budget, headroom); not ok when any part is over its budget. */
export function checkBudgets(
  sizes: Readonly<Record<Part, number>>,
  budgets: Readonly<Record<Part, number>> = BUDGETS,
): { ok: boolean; lines: string[] } {
  const lines: string[] = [];
  let ok = true;
  for (const part of Object.keys(budgets) as Part[]) {
    const size = sizes[part];
    const budget = budgets[part];
    const over = size > budget;
    if (over) ok = false;
    lines.push(
      `${part.padEnd(7)} ${kb(size).padStart(9)} gzipped, budget ${kb(budget)}: ${over ? `OVER by ${kb(size - budget)}` : `${Math.round((1 - size / budget) * 100)}% left`}`,
    );
  }
  return { ok, lines };
}

/** The files index.html loads at once: its module script, its modulepreloads and its stylesheets (paths under the base). */
export function initialFiles(indexHtml: string): string[] {
  const files = new Set<string>();
  for (const match of indexHtml.matchAll(/<(?:script|link)\b[^>]*?(?:src|href)="\/console\/(assets\/[^"]+)"/g)) {
    if (match[1] !== undefined) files.add(match[1]);
  }
  return [...files].sort();
}
