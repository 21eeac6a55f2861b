import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { checkBudgets } from './size-budget.js';

/** Prints the loader's and the full app's gzipped sizes; exits 1 when one is over its budget. */
const dist = join(import.meta.dirname, '..', 'dist');

async function gzipped(file: string): Promise<number> {
  return gzipSync(await readFile(file), { level: 9 }).length;
}

export async function measure(): Promise<{ loader: number; app: number; files: [string, number][] }> {
  const loader = await gzipped(join(dist, 'widget.js'));
  const files: [string, number][] = [];
  for (const name of (await readdir(join(dist, 'widget'))).sort()) {
    if (/\.(js|css)$/.test(name)) files.push([`widget/${name}`, await gzipped(join(dist, 'widget', name))]);
  }
  return { loader, app: files.reduce((sum, [, size]) => sum + size, 0), files };
}

const sizes = await measure();
const report = checkBudgets(sizes);
for (const line of report.lines) console.log(line);
for (const [name, size] of sizes.files) console.log(`  ${name} ${(size / 1024).toFixed(1)} kB gzipped`);
if (!report.ok) {
  console.error('The widget is over its size budget (web/widget/scripts/size-budget.ts).');
  process.exitCode = 1;
}
