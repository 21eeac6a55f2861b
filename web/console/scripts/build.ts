import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import { build } from 'vite';

/**
 * Builds dist/: index.html (the one page the gateway answers for every /console path that is not
 * a file) and assets/<name>-<hash>.{js,css} (immutable). Each admin page is its own chunk, so the
 * chart library loads only on the usage page. Then checks the gzipped sizes.
 */
const root = join(import.meta.dirname, '..');
const dist = join(root, 'dist');

await rm(dist, { recursive: true, force: true });

await build({
  configFile: false,
  root,
  // Absolute: the gateway serves the console at /console on the tenant's host, and deep links
  // (/console/packages/…) must find the same assets.
  base: '/console/',
  logLevel: 'warn',
  build: {
    outDir: dist,
    emptyOutDir: false,
    target: 'es2022',
    // scripts/check-size.ts keeps the budget.
    chunkSizeWarningLimit: 1024,
    copyPublicDir: false,
    rolldownOptions: {
      // React Query marks its modules "use client" (for server components); a client-only bundle can ignore it.
      onLog(level, log, handler) {
        if (log.code === 'MODULE_LEVEL_DIRECTIVE') return;
        handler(level, log);
      },
      output: {
        entryFileNames: 'assets/[name]-[hash].js',
        chunkFileNames: 'assets/[name]-[hash].js',
        assetFileNames: 'assets/[name]-[hash][extname]',
      },
    },
  },
});
console.log('built web/console/dist (index.html and assets/)');

await import('./check-size.js');
