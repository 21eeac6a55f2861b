import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { basename, extname, join } from 'node:path';

/** What the image and the production starts run: one bundle per entry point, written to its workspace's dist/. */
export interface Program {
  /** The image's command (docker/entrypoint.sh). */
  name: string;
  /** The workspace directory, relative to the repository root: the bundles resolve their external imports from there, as the sources do. */
  workspace: string;
  /** Entry points, relative to the workspace; each becomes dist/<file name>.js. */
  entries: string[];
}

const PROGRAMS = [
  { name: 'gateway', workspace: '@mindbot/gateway', entries: ['src/main.ts'] },
  { name: 'billing', workspace: '@mindbot/billing', entries: ['src/main.ts'] },
  { name: 'sso', workspace: '@mindbot/sso', entries: ['src/main.ts'] },
  // The job entry is the module @livekit/agents imports in each job process (services/agent/src/worker.ts).
  { name: 'agent', workspace: '@mindbot/agent', entries: ['src/main.ts', 'src/job-entry.ts'] },
  { name: 'operator', workspace: '@mindbot/operator', entries: ['src/main.ts'] },
  // The CLI's entry is its package's bin, wherever the workspace lives.
  { name: 'mindbot', workspace: '@mindbot/cli', entries: [] },
] as const;

interface Manifest {
  name?: string;
  workspaces?: string[];
  bin?: string | Record<string, string>;
}

// npm has validated these manifests already; only the fields read here matter.
const readManifest = (dir: string) => JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as Manifest;

/** Workspace package name -> directory relative to the root, from the root manifest's `workspaces` (`dir` or `dir/*`). */
function workspaceDirs(root: string): Map<string, string> {
  const dirs = new Map<string, string>();
  for (const pattern of readManifest(root).workspaces ?? []) {
    const candidates = pattern.endsWith('/*')
      ? readdirSync(join(root, pattern.slice(0, -2)), { withFileTypes: true })
          .filter((entry) => entry.isDirectory())
          .map((entry) => `${pattern.slice(0, -2)}/${entry.name}`)
      : [pattern];
    for (const dir of candidates) {
      if (!existsSync(join(root, dir, 'package.json'))) continue;
      const { name } = readManifest(join(root, dir));
      if (name !== undefined) dirs.set(name, dir);
    }
  }
  return dirs;
}

function binOf(root: string, dir: string): string {
  const { bin } = readManifest(join(root, dir));
  const entry = typeof bin === 'string' ? bin : Object.values(bin ?? {})[0];
  if (entry === undefined) throw new Error(`${dir}/package.json names no bin`);
  return entry.replace(/^\.\//, '');
}

/** The programs with their workspace directories resolved. */
export function programs(root: string): Program[] {
  const dirs = workspaceDirs(root);
  return PROGRAMS.map((program) => {
    const workspace = dirs.get(program.workspace);
    if (workspace === undefined) throw new Error(`no workspace is named ${program.workspace}`);
    const entries: string[] = program.entries.length > 0 ? [...program.entries] : [binOf(root, workspace)];
    return { name: program.name, workspace, entries };
  });
}

/** Where a program's entry is written, relative to the root: <workspace>/dist/<file name>.js. */
export function bundlePath(program: Program, entry: string): string {
  return `${program.workspace}/dist/${basename(entry, extname(entry))}.js`;
}

/** The bundle that starts a program (its first entry), relative to the root. */
export function mainBundle(root: string, name: string): string {
  const program = programs(root).find((p) => p.name === name);
  const entry = program?.entries[0];
  if (program === undefined || entry === undefined) throw new Error(`no program is named ${name}`);
  return bundlePath(program, entry);
}
