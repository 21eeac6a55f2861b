import { execFile } from 'node:child_process';
import { existsSync, readFileSync, statSync } from 'node:fs';
import { join, posix } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
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
        .map((part) => (part === '**' ? '.*' : part.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '[^/]*').replace(/\?/g, '[^/]')))
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
  it('builds every stage from the same base image, pinned to an exact Node.js 20 release on glibc', () => {
    expect(stages.length).toBeGreaterThanOrEqual(2);
    const external = stages.map((s) => s.from).filter((from) => !stages.some((s) => s.name === from));
    for (const from of external) {
      expect(from).toMatch(/^node:20\.\d+\.\d+-(bookworm|bullseye)-slim(@sha256:[a-f0-9]{64})?$/);
    }
    expect(new Set(external).size).toBe(1);
    // What the engines field asks for.
    const engines = (JSON.parse(read('package.json')) as { engines: { node: string } }).engines.node;
    const [, minor = '0'] = /^>=20\.(\d+)/.exec(engines) ?? [];
    const [, baseMinor = '0'] = /^node:20\.(\d+)\./.exec(external[0] ?? '') ?? [];
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
      }),
    );
    const pods = [...allOf(docs, deploymentSchema, 'Deployment'), ...allOf(docs, jobSchema, 'Job')].map((w) => w.spec.template.spec.securityContext);
    expect(pods).toHaveLength(5);
    for (const pod of pods) expect(pod).toMatchObject({ runAsNonRoot: true, runAsUser: Number(uid), runAsGroup: Number(gid) });
  }, 30_000);

  it('holds no secret in ENV or ARG', () => {
    const settings = [...all('ENV'), ...all('ARG')];
    expect(settings.length).toBeGreaterThan(0);
    for (const { args, line } of settings) {
      expect({ line, secretName: /(SECRET|TOKEN|PASSWORD|_KEY|_KEYS|DATABASE_URL|REDIS_URL)\b/i.test(args) }).toEqual({ line, secretName: false });
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
    for (const install of installs) expect({ install, guarded: /--ignore-scripts|--strict-allow-scripts/.test(install) }).toEqual({ install, guarded: true });
    // The final image copies its /app from a stage whose install omitted devDependencies.
    const copied = finalStage?.instructions.filter((i) => i.keyword === 'COPY' && i.args.includes('--from=')).map((i) => /--from=(\S+)/.exec(i.args)?.[1]) ?? [];
    expect(copied.length).toBeGreaterThan(0);
    for (const source of copied) {
      const stage = stages.find((s) => s.name === source);
      const stageInstalls = stage?.instructions.filter((i) => i.keyword === 'RUN' && /\bnpm ci\b/.test(i.args)) ?? [];
      expect({ source, omitsDev: stageInstalls.length > 0 && stageInstalls.every((i) => i.args.includes('--omit=dev')) }).toEqual({ source, omitsDev: true });
    }
    // The Prisma client is generated (postinstall) in a stage with devDependencies and copied over.
    expect(read('package.json')).toContain('"postinstall": "node scripts/prisma-generate.mjs"');
    expect(all('COPY').some((i) => i.args.includes('packages/db/src/generated'))).toBe(true);
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
      'operator/src/main.ts',
      'packages/cli/src/main.ts',
      'services/gateway/src/main.ts',
      'services/billing/src/main.ts',
      'services/sso/src/main.ts',
      'packages/db/src/index.ts',
      'packages/testing/package.json',
    ];
    expect(needed.filter((p) => !existsSync(join(repoRoot, p)))).toEqual([]);
    expect(needed.filter(ignored)).toEqual([]);
    const excluded = ['.env', '.env.local', '.git/config', 'node_modules/pg/package.json', 'services/gateway/node_modules/x', '.data/pg/PG_VERSION', 'packages/db/src/generated/prisma/client.ts', 'services/sso/src/config.test.ts'];
    expect(excluded.filter((p) => !ignored(p))).toEqual([]);
  });

  it('starts through an exec-form entry point that exists, is executable, and refuses an unknown program', async () => {
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
    const help = await run(join(repoRoot, script), ['mindbot', '--help'], { env: { PATH: process.env.PATH ?? '' } });
    expect(help.stdout).toContain('db');
  }, 60_000);
});
