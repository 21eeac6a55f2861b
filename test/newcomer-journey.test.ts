import { spawn, type ChildProcess } from 'node:child_process';
import { chmod, mkdtemp, rm } from 'node:fs/promises';
import { request as httpRequest } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { portAllocator } from '@mindbot/testing';

// The README's "Try it" journey, exactly as a newcomer runs it, against the platform of `npm start`
// (scripts/dev-start.ts as a child process, on free ports, with a temporary data dir): sign up on
// initech, list its packages, buy one, pay with `npm run mindbot -- checkout complete`, activate the
// code from GET /v1/time-cards, see the balance, start a voice session, become admin with
// `npm run mindbot -- user role` and call an admin route. Everything through the gateway with
// `Host: initech.localhost`; no SQL, no hand-signed events.

const root = fileURLToPath(new URL('..', import.meta.url));
const TENANT_HOST = 'initech.localhost';
const START_TIMEOUT_MS = 180_000;
const JOURNEY_TIMEOUT_MS = 240_000;

interface Answer {
  status: number;
  body: Record<string, unknown>;
}

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

describe('a newcomer, from the README on a fresh clone', () => {
  let platform: ChildProcess;
  let dataDir: string;
  let gatewayPort: number;
  let output = '';
  let childEnv: NodeJS.ProcessEnv;

  /** One call through the gateway, as curl does it in the README. */
  function call(method: string, path: string, options: { token?: string; body?: unknown } = {}): Promise<Answer> {
    const payload = options.body === undefined ? undefined : JSON.stringify(options.body);
    return new Promise((resolve, reject) => {
      const req = httpRequest(
        {
          host: '127.0.0.1',
          port: gatewayPort,
          method,
          path,
          headers: {
            host: TENANT_HOST,
            ...(options.token ? { authorization: `Bearer ${options.token}` } : {}),
            ...(payload === undefined ? {} : { 'content-type': 'application/json', 'content-length': Buffer.byteLength(payload) }),
          },
          timeout: 30_000,
        },
        (res) => {
          let text = '';
          res.setEncoding('utf8');
          res.on('data', (chunk: string) => (text += chunk));
          res.on('end', () => resolve({ status: res.statusCode ?? 0, body: text ? (JSON.parse(text) as Record<string, unknown>) : {} }));
        },
      );
      req.once('timeout', () => req.destroy(new Error(`${method} ${path} timed out`)));
      req.once('error', reject);
      req.end(payload);
    });
  }

  /** `npm run mindbot -- …` in the checkout, with nothing but what the README says (no DATABASE_URL). */
  function mindbot(args: string[], extraEnv: NodeJS.ProcessEnv = {}): Promise<Run> {
    return new Promise((resolve) => {
      const child = spawn('npm', ['run', '-s', 'mindbot', '--', ...args], { cwd: root, env: { ...childEnv, ...extraEnv } });
      let stdout = '';
      let stderr = '';
      child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
      child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
      child.on('close', (code) => resolve({ code, stdout, stderr }));
    });
  }

  beforeAll(async () => {
    // The embedded PostgreSQL runs as a `postgres` user when the tests run as root: it must reach the dir.
    dataDir = await mkdtemp(join(tmpdir(), 'mindbot-newcomer-'));
    await chmod(dataDir, 0o755);
    // Different ports for npm start's servers (the OS may hand a just-released port out again).
    const nextPort = portAllocator();
    gatewayPort = await nextPort();
    // A fresh clone's environment: nothing configured, the platform brings its own of everything.
    const unset = new Set([
      'DATABASE_URL',
      'STRIPE_SECRET_KEY',
      'STRIPE_API_URL',
      'STRIPE_WEBHOOK_SECRET',
      'STRIPE_LIVEMODE',
      'LIVEKIT_URL',
      'LIVEKIT_API_KEY',
      'LIVEKIT_API_SECRET',
      'BILLING_URL',
      'SSO_URL',
      'NODE_ENV',
    ]);
    childEnv = { ...Object.fromEntries(Object.entries(process.env).filter(([name]) => !unset.has(name))), MINDBOT_DATA_DIR: dataDir };
    const ports = {
      GATEWAY_PORT: String(gatewayPort),
      BILLING_PORT: String(await nextPort()),
      SSO_PORT: String(await nextPort()),
      AGENT_PORT: String(await nextPort()),
      EMBEDDED_POSTGRES_PORT: String(await nextPort()),
    };
    platform = spawn(process.execPath, ['--import', 'tsx', join(root, 'scripts/dev-start.ts')], {
      cwd: root,
      env: { ...childEnv, ...ports },
      detached: true,
    });
    platform.stdout?.on('data', (d: Buffer) => (output += d.toString()));
    platform.stderr?.on('data', (d: Buffer) => (output += d.toString()));
    const started = Date.now();
    while (!output.includes('MindBot Platform is up')) {
      if (platform.exitCode !== null) throw new Error(`npm start exited with ${platform.exitCode}:\n${output.slice(-4000)}`);
      if (Date.now() - started > START_TIMEOUT_MS)
        throw new Error(`npm start was not up after ${START_TIMEOUT_MS} ms:\n${output.slice(-4000)}`);
      await new Promise((r) => setTimeout(r, 250));
    }
  }, START_TIMEOUT_MS + 10_000);

  afterAll(async () => {
    if (platform.exitCode === null && platform.pid !== undefined) {
      let timer: NodeJS.Timeout | undefined;
      const exited = new Promise<boolean>((r) => platform.once('exit', () => r(true)));
      platform.kill('SIGTERM');
      const stopped = await Promise.race([exited, new Promise<boolean>((r) => (timer = setTimeout(() => r(false), 30_000)))]);
      clearTimeout(timer);
      // Only the process group npm start made (it was started detached).
      if (!stopped) process.kill(-platform.pid, 'SIGKILL');
    }
    await rm(dataDir, { recursive: true, force: true });
  }, 60_000);

  it(
    'signs up on initech, buys and pays a package, activates its code, sees the balance, starts a voice session and becomes admin',
    async () => {
      // Every example tenant that lives here got a Stripe account and can sell.
      expect(output).toMatch(/initech: Stripe account acct_\w+ onboarded/);
      expect(output).not.toContain('billing: not configured');

      const email = `newcomer-${Date.now()}@initech.example`;
      const password = 'a long local password 42';
      const signUp = await call('POST', '/v1/auth/password/register', { body: { email, password } });
      expect(signUp.status).toBe(201);
      const token = String(signUp.body.access_token);

      const packages = await call('GET', '/v1/packages', { token });
      expect(packages.status).toBe(200);
      const list = packages.body.packages as { id: string; currency: string; priceCents: number; totalSeconds: number }[];
      expect(list.length).toBeGreaterThan(0);
      // initech sells in EUR (examples/tenants/initech.yaml), from the first start on.
      expect(new Set(list.map((p) => p.currency))).toEqual(new Set(['eur']));
      const starter = list.find((p) => p.id === 'pkg_starter');
      expect(starter).toBeDefined();

      const bought = await call('POST', '/v1/purchases', { token, body: { packageId: 'pkg_starter' } });
      expect(bought.status).toBe(201);
      expect(bought.body).toMatchObject({ status: 'pending', currency: 'eur', amountCents: starter?.priceCents });
      const purchaseId = String(bought.body.id);

      // Paying: the documented local command, refused in live mode and done otherwise.
      const live = await mindbot(['checkout', 'complete', purchaseId], { STRIPE_LIVEMODE: 'true' });
      expect(live.code).toBe(2);
      expect(live.stderr).toContain('Refused');
      expect((await call('GET', '/v1/time-cards', { token })).body.timeCards).toEqual([]);

      const paid = await mindbot(['checkout', 'complete', purchaseId]);
      expect({ code: paid.code, stderr: paid.stderr }).toEqual({ code: 0, stderr: '' });
      expect(paid.stdout).toContain('applied');
      const purchases = await call('GET', '/v1/purchases', { token });
      expect((purchases.body.purchases as { id: string; status: string }[]).find((p) => p.id === purchaseId)?.status).toBe('paid');

      const cards = await call('GET', '/v1/time-cards', { token });
      expect(cards.status).toBe(200);
      const [card] = cards.body.timeCards as { activationCode: string | null; status: string; seconds: number }[];
      expect(card).toMatchObject({ status: 'issued', seconds: starter?.totalSeconds });
      expect(card?.activationCode).toEqual(expect.any(String));

      const activated = await call('POST', '/v1/time-cards/activate', { token, body: { code: card?.activationCode } });
      expect(activated.status).toBe(201);

      const balance = await call('GET', '/v1/balance', { token });
      expect(balance.status).toBe(200);
      expect(balance.body.availableSeconds).toBe(starter?.totalSeconds);

      const session = await call('POST', '/v1/voice/sessions', { token, body: {} });
      expect(session.status).toBe(201);
      expect(session.body).toMatchObject({ remainingSeconds: starter?.totalSeconds, token: expect.any(String) });
      const ended = await call('POST', `/v1/voice/sessions/${String(session.body.sessionId)}/end`, { token, body: {} });
      expect(ended.status).toBe(200);

      // The tenant's first admin: a member is refused, the CLI grants the role, the next sign-in carries it.
      expect((await call('GET', '/v1/admin/packages', { token })).status).toBe(403);
      const granted = await mindbot(['user', 'role', 'initech', email, 'admin']);
      expect({ code: granted.code, stderr: granted.stderr }).toEqual({ code: 0, stderr: '' });
      expect(granted.stdout).toContain('now holds the role "admin"');
      const signIn = await call('POST', '/v1/auth/password/login', { body: { email, password } });
      expect(signIn.status).toBe(200);
      const admin = await call('GET', '/v1/admin/packages', { token: String(signIn.body.access_token) });
      expect(admin.status).toBe(200);
      expect(admin.body.packages).toEqual(expect.arrayContaining([expect.objectContaining({ id: 'pkg_starter' })]));
    },
    JOURNEY_TIMEOUT_MS,
  );
});
