import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { freePort, testRedisUrl, type TestTokenIssuer } from '@mindbot/testing';
import { BILLING_SERVICE_TOKEN, serveJwks } from './harness.js';

export interface BillingProcess {
  url: string;
  output: string[];
  stop(): Promise<void>;
}

const root = fileURLToPath(new URL('../../../../', import.meta.url));

/**
 * The real billing service in a process of its own, on a free port, against the test database, with
 * the test issuer's JWKS served over HTTP as SSO would. Voice-session starts and ends call no Stripe
 * API, so Stripe points nowhere.
 */
export async function startBillingProcess(options: { databaseUrl: string; issuer: TestTokenIssuer; port?: number }): Promise<BillingProcess> {
  const jwks = await serveJwks(options.issuer);
  const port = options.port ?? (await freePort());
  const output: string[] = [];
  const child: ChildProcess = spawn(process.execPath, ['--import', 'tsx', `${root}services/billing/src/main.ts`], {
    cwd: root,
    env: {
      PATH: process.env.PATH,
      NODE_ENV: 'test',
      LOG_LEVEL: 'info',
      PORT: String(port),
      DATABASE_URL: options.databaseUrl,
      REDIS_URL: testRedisUrl(),
      STRIPE_SECRET_KEY: 'sk_test_123',
      STRIPE_WEBHOOK_SECRET: 'whsec_gateway_tests',
      STRIPE_API_URL: 'http://127.0.0.1:9',
      BILLING_SERVICE_TOKENS: BILLING_SERVICE_TOKEN,
      AUTH_JWKS_URL: jwks.url,
      AUTH_ISSUER: options.issuer.issuer,
      AUTH_AUDIENCE: options.issuer.audience,
      METERING_SWEEP_INTERVAL_SECONDS: '3600',
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  child.stdout?.on('data', (d: Buffer) => output.push(d.toString()));
  child.stderr?.on('data', (d: Buffer) => output.push(d.toString()));
  const url = `http://127.0.0.1:${port}`;
  const started = Date.now();
  for (;;) {
    if (child.exitCode !== null) throw new Error(`billing exited: ${output.join('').slice(-2000)}`);
    try {
      if ((await fetch(`${url}/healthz`)).ok) break;
    } catch {
      // not yet listening
    }
    if (Date.now() - started > 30_000) {
      child.kill('SIGKILL');
      throw new Error(`billing did not start: ${output.join('').slice(-2000)}`);
    }
    await new Promise((r) => setTimeout(r, 150));
  }
  return {
    url,
    output,
    async stop() {
      if (child.exitCode === null && child.signalCode === null) {
        const exited = new Promise((r) => child.once('exit', r));
        child.kill('SIGTERM');
        const timer = setTimeout(() => child.kill('SIGKILL'), 5_000);
        await exited;
        clearTimeout(timer);
      }
      await jwks.close();
    },
  };
}
