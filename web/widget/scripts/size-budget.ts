/** Gzipped size budgets of the widget, checked after every build (`npm run build -w web/widget`, `npm run size -w web/widget`). */
export const BUDGETS = {
  /** The issue's limit for the script a page includes. */
  loader: 15 * 1024,
  /**
   * The whole app (entry + chunks + css under dist/widget/): 248 kB when the budget was set (Dec 2026:
   * React + the SDK's zod schemas ≈ 107 kB on first open, livekit-client ≈ 146 kB loaded at the first call), plus about 15 %.
   */
  app: 285 * 1024,
} as const;

export type Part = keyof typeof BUDGETS;

export interface SizeReport {
  ok: boolean;
  lines: string[];
}

const kb = (bytes: number): string => `${(bytes / 1024).toFixed(1)} kB`;

/** One line per part (size, budget, headroom); not ok when any part is over its budget. */
export function checkBudgets(sizes: Readonly<Record<Part, number>>, budgets: Readonly<Record<Part, number>> = BUDGETS): SizeReport {
  const lines: string[] = [];
  let ok = true;
  for (const part of Object.keys(budgets) as Part[]) {
    const size = sizes[part];
    const budget = budgets[part];
    const over = size > budget;
    if (over) ok = false;
    lines.push(
      `${part.padEnd(6)} ${kb(size).padStart(9)} gzipped, budget ${kb(budget)}: ${over ? `OVER by ${kb(size - budget)}` : `${Math.round((1 - size / budget) * 100)}% left`}`,
    );
  }
  return { ok, lines };
}
