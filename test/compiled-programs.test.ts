import { existsSync, readFileSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createTestDatabase, freePort, type TestDatabase } from '@mindbot/testing';
import { bundlePath, mainBundle, programs } from '../scripts/build/programs.js';
import {
  agentEnv,
  billingEnv,
  compiled,
  initializedJobProcess,
  repoRoot,
  startProgram,
  type ProgramProcess,
} from './support/compiled-programs.js';

// What production runs (the image, docs/adr/0054-compiled-javascript-in-production.md): the bundles
// `npm run build` writes, started with plain node. Billing and the agent worker are started from them
// as the image starts them; stack traces taken inside them name the TypeScript sources.

describe('the compiled programs (npm run build)', () => {
  let db: TestDatabase;
  let scratch: string;
  let billing: ProgramProcess;
  let agent: ProgramProcess | undefined;

  beforeAll(async () => {
    [db, scratch] = await Promise.all([createTestDatabase(), mkdtemp(join(tmpdir(), 'mindbot-compiled-'))]);
    const billingPort = await freePort();
    // Observes only: prints the stack of the code that opens the service's listening socket.
    const probe = join(scratch, 'listen-stack.mjs');
    await writeFile(
      probe,
      [
        "import net from 'node:net';",
        'const listen = net.Server.prototype.listen;',
        'net.Server.prototype.listen = function (...args) {',
        "  process.stderr.write(`listen-stack ${JSON.stringify(new Error('listen').stack)}\\n`);",
        '  return listen.apply(this, args);',
        '};',
      ].join('\n'),
    );
    billing = startProgram({
      nodeArgs: ['--import', probe, ...compiled(mainBundle(repoRoot, 'billing'))],
      port: billingPort,
      env: billingEnv(db.url),
    });
    await billing.healthy();
  }, 180_000);

  afterAll(async () => {
    await agent?.stop();
    await billing.stop();
    await db.dispose();
    await rm(scratch, { recursive: true, force: true });
  }, 60_000);

  it('builds one bundle with a source map per entry point, each inside its workspace, with no tsx in them', () => {
    const bundles = programs(repoRoot).flatMap((program) => program.entries.map((entry) => ({ program, entry })));
    expect(bundles.map(({ program }) => program.name)).toEqual(
      expect.arrayContaining(['gateway', 'billing', 'sso', 'agent', 'operator', 'mindbot']),
    );
    for (const { program, entry } of bundles) {
      const bundle = bundlePath(program, entry);
      expect({ bundle, inWorkspace: bundle.startsWith(`${program.workspace}/dist/`) }).toEqual({ bundle, inWorkspace: true });
      const text = readFileSync(join(repoRoot, bundle), 'utf8');
      expect({ bundle, map: existsSync(join(repoRoot, `${bundle}.map`)), linked: text.includes(`//# sourceMappingURL=`) }).toEqual({
        bundle,
        map: true,
        linked: true,
      });
      expect({ bundle, importsTsx: /from ["']tsx|import\(["']tsx|--import tsx/.test(text) }).toEqual({ bundle, importsTsx: false });
    }
  });

  it('billing, started as the image starts it, answers /healthz and /readyz (its Prisma client and workspace packages bundled in)', async () => {
    expect((await fetch(`${billing.url}/healthz`)).status).toBe(200);
    const ready = await fetch(`${billing.url}/readyz`);
    expect({ status: ready.status, body: (await ready.json()) as unknown }).toEqual({
      status: 200,
      body: { status: 'ready', dependencies: { postgres: 'ok', redis: 'ok' } },
    });
  });

  it('a stack trace taken inside a running bundle names the TypeScript sources, at the right lines', () => {
    const line = billing.output.find((l) => l.startsWith('listen-stack '));
    expect(line).toBeDefined();
    const stack = JSON.parse((line ?? '').slice('listen-stack '.length)) as string;
    // Every frame of the bundle is mapped back: none names dist/.
    expect(stack).not.toContain('/dist/');
    const frames = [...stack.matchAll(/\(?(?:file:\/\/)?(\/[^\s():]+\.ts):(\d+):\d+\)?$/gm)].map((m) => ({
      file: m[1] ?? '',
      line: Number(m[2]),
    }));
    const ours = frames.filter((f) => f.file.startsWith(repoRoot) && !f.file.includes('/node_modules/'));
    expect(ours.length).toBeGreaterThan(0);
    // The innermost of our frames is the line that opens the socket.
    const [innermost] = ours;
    const source = readFileSync(innermost?.file ?? '', 'utf8').split('\n');
    expect({ frame: innermost, text: source[(innermost?.line ?? 0) - 1] }).toEqual({
      frame: innermost,
      text: expect.stringContaining('listen(') as string,
    });
    // The chain reaches billing's own start-up code.
    expect(ours.some((f) => f.file.endsWith('services/billing/src/main.ts'))).toBe(true);
  });

  it('the agent worker answers /healthz, and its job processes run the compiled job entry', async () => {
    const port = await freePort();
    // No LiveKit server: the worker keeps trying to register, while it already warms a job process.
    agent = startProgram({
      nodeArgs: compiled(mainBundle(repoRoot, 'agent')),
      port,
      env: agentEnv({ billingUrl: billing.url, livekitPort: await freePort() }),
    });
    await agent.healthy();
    // It reaches the compiled billing (its readiness asks billing's /healthz, with a short timeout: a busy machine may need a second try).
    const billingSeen = async () => {
      const ready = (await (await fetch(`${agent?.url ?? ''}/readyz`)).json()) as { dependencies: Record<string, string> };
      return ready.dependencies.billing;
    };
    let seen = await billingSeen();
    for (let attempt = 0; seen !== 'ok' && attempt < 20; attempt++) {
      await new Promise((resolve) => setTimeout(resolve, 500));
      seen = await billingSeen();
    }
    expect(seen).toBe('ok');

    const jobEntry = join(repoRoot, 'services/agent/dist/job-entry.js');
    const deadline = Date.now() + 90_000;
    let initialized = await initializedJobProcess(agent);
    while (initialized === undefined) {
      if (agent.child.exitCode !== null || Date.now() > deadline) {
        throw new Error(`no job process initialized the compiled job entry:\n${agent.output.slice(-40).join('\n')}`);
      }
      await new Promise((resolve) => setTimeout(resolve, 250));
      initialized = await initializedJobProcess(agent);
    }
    expect(initialized.args.endsWith(` ${jobEntry}`)).toBe(true);
    // Started with plain node: the flags the worker was given, and no tsx.
    expect(initialized.args).toContain('--enable-source-maps');
    expect(initialized.args).not.toContain('tsx');
  }, 150_000);
});
