import { existsSync, realpathSync } from 'node:fs';
import { mkdir, readFile, readdir, rename, rm, writeFile } from 'node:fs/promises';
import { isBuiltin } from 'node:module';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { build, type Metafile, type OutputFile, type Plugin } from 'esbuild';
import { bundlePath, type Program } from './programs.js';

/**
 * Workspace packages (`@mindbot/*`, which export TypeScript sources) are bundled in; every other package
 * stays an import of node_modules, so native modules (@livekit/rtc-node, @node-rs/argon2) and the Prisma
 * runtime load exactly as they do under tsx.
 */
const thirdPartyExternal: Plugin = {
  name: 'third-party-external',
  setup(b) {
    b.onResolve({ filter: /^[^./]/ }, (args) => (args.path.startsWith('@mindbot/') ? undefined : { path: args.path, external: true }));
  },
};

/**
 * In a bundle every module's `import.meta.url` would be the bundle's, so files a module finds beside
 * its source (prisma/migrations from packages/db, the CRD from the operator) would be looked for beside
 * dist/. Each bundled module's `import.meta.url` is therefore its source file's URL, computed from the
 * bundle's own (so a tree moved as a whole, as into the image, still works). `import.meta.dirname` and
 * `import.meta.filename` are left alone: they name the running bundle (the agent worker finds its job
 * entry's bundle beside it with them).
 */
function sourceUrls(outdir: string): Plugin {
  return {
    name: 'source-import-meta-url',
    setup(b) {
      b.onLoad({ filter: /\.[cm]?ts$/ }, async (args) => {
        if (args.path.split(sep).includes('node_modules')) return undefined;
        const text = await readFile(args.path, 'utf8');
        if (!text.includes('import.meta.url') && !text.startsWith('#!')) return undefined;
        const fromBundle = relative(outdir, args.path).split(sep).join('/');
        return {
          contents: text
            .replace(/\bimport\.meta\.url\b/g, `new URL(${JSON.stringify(fromBundle)}, import.meta.url).href`)
            // An entry's own line (the CLI's `node --import tsx`) is for running the source; a bundle runs on plain node.
            .replace(/^#!.*/, '#!/usr/bin/env node'),
          loader: 'ts',
        };
      });
    },
  };
}

/** The package name of a bare import (`@scope/name/sub` -> `@scope/name`). */
const packageOf = (specifier: string) =>
  specifier
    .split('/')
    .slice(0, specifier.startsWith('@') ? 2 : 1)
    .join('/');

/** The directory Node's lookup (node_modules folders up from `from`) finds a package in, if any. */
function lookup(pkg: string, from: string): string | undefined {
  for (let dir = from; ; dir = dirname(dir)) {
    const candidate = join(dir, 'node_modules', pkg);
    if (existsSync(join(candidate, 'package.json'))) return realpathSync(candidate);
    if (dirname(dir) === dir) return undefined;
  }
}

/**
 * A bundle resolves its external imports from its own directory, not from its modules' sources. That
 * gives the same package only when the source's workspace does not hold its own copy: the reason each
 * bundle is written inside its workspace. Anything else found (a bundled package with a nested copy of
 * a dependency) fails the build rather than loading another version at run time.
 */
function checkExternals(root: string, metafile: Metafile, outputs: string[]): string[] {
  const problems: string[] = [];
  for (const output of outputs) {
    const outDir = dirname(resolve(root, output));
    const inputs = Object.keys(metafile.outputs[relative(root, resolve(root, output)).split(sep).join('/')]?.inputs ?? {});
    for (const input of inputs) {
      for (const imported of metafile.inputs[input]?.imports ?? []) {
        if (imported.external !== true || isBuiltin(imported.path)) continue;
        const pkg = packageOf(imported.path);
        const fromSource = lookup(pkg, dirname(resolve(root, input)));
        if (fromSource !== undefined && lookup(pkg, outDir) !== fromSource) {
          problems.push(`${output}: ${pkg} (imported by ${input}) resolves to ${fromSource} from the source but not from the bundle`);
        }
      }
    }
  }
  return [...new Set(problems)];
}

/**
 * Each file is written beside its place and renamed over it, so a process starting meanwhile (another
 * test's build running at the same time) reads the old file or the new one, never half of one; files
 * the build no longer writes go.
 */
async function replaceFiles(outdir: string, files: OutputFile[]): Promise<void> {
  await mkdir(outdir, { recursive: true });
  const written = new Set(files.map((file) => file.path));
  for (const file of files) {
    const temporary = `${file.path}.${process.pid}.tmp`;
    await writeFile(temporary, file.contents);
    await rename(temporary, file.path);
  }
  const stale = (await readdir(outdir)).map((name) => join(outdir, name)).filter((path) => !written.has(path) && !path.endsWith('.tmp'));
  await Promise.all(stale.map((path) => rm(path, { recursive: true, force: true })));
}

/** Builds every program's bundles with linked source maps; resolves to the bundles written, relative to the root. */
export async function bundle(root: string, programs: Program[]): Promise<string[]> {
  const built = await Promise.allSettled(
    programs.map(async (program) => {
      const outdir = join(root, program.workspace, 'dist');
      const outputs = program.entries.map((entry) => bundlePath(program, entry));
      const result = await build({
        absWorkingDir: root,
        entryPoints: program.entries.map((entry, i) => ({
          in: join(program.workspace, entry),
          out: relative(outdir, join(root, outputs[i] ?? '')).replace(/\.js$/, ''),
        })),
        outdir,
        bundle: true,
        platform: 'node',
        format: 'esm',
        target: 'node24',
        sourcemap: 'linked',
        // Stack traces need the mappings only; the sources are in the repository (and in the image).
        sourcesContent: false,
        // Bundling renames clashing top-level names; keep function and class names as they read in the sources.
        keepNames: true,
        metafile: true,
        write: false,
        logLevel: 'warning',
        plugins: [thirdPartyExternal, sourceUrls(outdir)],
      });
      const problems = checkExternals(root, result.metafile, outputs);
      if (problems.length > 0) throw new Error(`external imports that would load another copy at run time:\n${problems.join('\n')}`);
      await replaceFiles(outdir, result.outputFiles);
      return outputs;
    }),
  );
  const failed = programs.flatMap((program, i) => {
    const outcome = built[i];
    return outcome?.status === 'rejected'
      ? [`${program.name}: ${outcome.reason instanceof Error ? outcome.reason.message : String(outcome.reason)}`]
      : [];
  });
  if (failed.length > 0) throw new Error(`${failed.length} of ${programs.length} programs did not build:\n${failed.join('\n')}`);
  return built.flatMap((outcome) => (outcome.status === 'fulfilled' ? outcome.value : []));
}
