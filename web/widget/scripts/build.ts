import { rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { build, type Rolldown } from 'vite';

/**
 * Builds dist/: the app first (dist/widget/app-<hash>.js and its chunks), then the loader
 * (dist/widget.js, an IIFE that knows the app's file name), then dist/manifest.json; then checks sizes.
 */
const root = join(import.meta.dirname, '..');
const dist = join(root, 'dist');

await rm(dist, { recursive: true, force: true });

const appBuild = await build({
  configFile: false,
  root,
  // Relative: the app's chunks load from widget.js's origin, whatever page embeds it.
  base: './',
  logLevel: 'warn',
  build: {
    outDir: dist,
    emptyOutDir: false,
    target: 'es2022',
    modulePreload: false,
    // scripts/check-size.ts keeps the budget.
    chunkSizeWarningLimit: 1024,
    copyPublicDir: false,
    rolldownOptions: {
      input: { app: join(root, 'src/app/main.tsx') },
      preserveEntrySignatures: 'exports-only',
      output: {
        format: 'es',
        entryFileNames: 'widget/app-[hash].js',
        chunkFileNames: 'widget/chunk-[hash].js',
        assetFileNames: 'widget/[name]-[hash][extname]',
      },
    },
  },
});

const outputs = (Array.isArray(appBuild) ? appBuild : [appBuild]).flatMap((result) => ('output' in result ? result.output : []));
const entry = outputs.find((file): file is Rolldown.OutputChunk => file.type === 'chunk' && file.isEntry);
if (!entry) throw new Error('The app build produced no entry chunk.');

await build({
  configFile: false,
  root,
  logLevel: 'warn',
  define: { __MINDBOT_APP_ENTRY__: JSON.stringify(entry.fileName) },
  build: {
    outDir: dist,
    emptyOutDir: false,
    target: 'es2020',
    copyPublicDir: false,
    lib: { entry: join(root, 'src/loader/main.ts'), formats: ['iife'], name: 'MindBotWidget', fileName: () => 'widget.js' },
  },
});

const files = outputs.map((file) => file.fileName).sort();
await writeFile(
  join(dist, 'manifest.json'),
  `${JSON.stringify({ loader: 'widget.js', app: entry.fileName, files: ['widget.js', ...files] }, null, 2)}\n`,
);
console.log(`built dist/widget.js and dist/${entry.fileName} (+${files.length - 1} files)`);

await import('./check-size.js');
