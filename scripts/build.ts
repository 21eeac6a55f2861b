// `npm run build`: the JavaScript production runs (the image, `npm run operator`): one bundle per
// program with linked source maps, in <workspace>/dist/ (scripts/build/programs.ts lists them).
// Why: docs/adr/0054-compiled-javascript-in-production.md. Development runs the sources through tsx.
import { fileURLToPath } from 'node:url';
import { bundle } from './build/bundle.js';
import { programs } from './build/programs.js';

const root = fileURLToPath(new URL('..', import.meta.url));
const started = performance.now();
try {
  const written = await bundle(root, programs(root));
  process.stdout.write(`${written.map((file) => `built ${file}`).join('\n')}\n(${Math.round(performance.now() - started)} ms)\n`);
} catch (error) {
  // esbuild has printed each error with its source line already.
  process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n`);
  process.exitCode = 1;
}
