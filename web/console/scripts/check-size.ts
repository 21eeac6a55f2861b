import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { checkBudgets, initialFiles } from './size-budget.js';

/** Prints the first load's and every asset's gzipped sizes; exits 1 when one is over its budget. */
const dist = join(import.meta.dirname, '..', 'dist');

async function gzipped(file: string): Promise<number> {
  return gzipSync(await readFile(file), { level: 9 }).length;
}

const sizes = new Map<string, number>();
for (const name of (await readdir(join(dist, 'assets'))).sort()) {
  if (/\.(js|css)$/.test(name)) sizes.set(`assets/${name}`, await gzipped(join(dist, 'assets', name)));
}
const initial = initialFiles(await readFile(join(dist, 'index.html'), 'utf8'));
const report = checkBudgets({
  initial: initial.reduce((sum, name) => sum + (sizes.get(name) ?? 0), 0),
  total: [...sizes.values()].reduce((sum, size) => sum + size, 0),
});
for (const line of report.lines) console.log(line);
for (const [name, size] of sizes)
  console.log(`  ${name} ${(size / 1024).toFixed(1)} kB gzipped${initial.includes(name) ? ' (first load)' : ''}`);
if (!report.ok) {
  console.error('The console is over its size budget (web/console/scripts/size-budget.ts).');
  process.exitCode = 1;
}
