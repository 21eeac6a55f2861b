import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { freePort, testRedisUrl, type TestTokenIssuer } from '@mindbot/testing';
import { BILLING_SERVICE_TOKEN, serveJwks } from './harness.js';

export interface BillingProcess {
  url: string;
  /** For benchmarks that account its CPU. */
  pid: number | undefined;
  output: string[];
  stop(): Promise<void>;
}

const root = fileURLToPath(new URL('../../../../', import.meta.url));

/** Where billing verifies platform tokens: a test issuer (its JWKS served over HTTP as SSO would), or a real SSO's JWKS. */
export type BillingProcessAuth = { issuer: TestTokenIssuer } | { auth: { jwksUrl: string; issuer: string; audience: string } };

/**
 * The real billing service in a process of its own, on a free port, against the test database and
 * the test Redis. Voice-session starts and ends call no Stripe API, so Stripe points nowhere.
 */
export async function startBillingProcess(
  options: { databaseUrl: string; port?: number; redisUrl?: string } & BillingProcessAuth,
): Promise<BillingProcess> {
  let jwks: Awaited<ReturnType<typeof serveJwks>> | undefined;
  let auth: { jwksUrl: string; issuer: string; audience: string };
  if ('issuer' in options) {
    jwks = await serveJwks(options.issuer);
    auth = { jwksUrl: jwks.url, issuer: options.issuer.issuer, audience: options.issuer.audience };
  } else {
    auth = options.auth;
  }
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
      REDIS_URL: options.redisUrl ?? testRedisUrl(),
      STRIPE_SECRET_KEY: 'sk_test_123',
      STRIPE_WEBHOOK_SECRET: 'whsec_gateway_tests',
      STRIPE_API_URL: 'http://127.0.0.1:9',
      BILLING_SERVICE_TOKENS: BILLING_SERVICE_TOKEN,
      AUTH_JWKS_URL: auth.jwksUrl,
      AUTH_ISSUER: auth.issuer,
      AUTH_AUDIENCE: auth.audience,
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
    pid: child.pid,
    output,
    async stop() {
      if (child.exitCode === null && child.signalCode === null) {
        const exited = new Promise((r) => child.once('exit', r));
        child.kill('SIGTERM');
        const timer = setTimeout(() => child.kill('SIGKILL'), 5_000);
        await exited;
        clearTimeout(timer);
      }
      await jwks?.close();
    },
  };
}
