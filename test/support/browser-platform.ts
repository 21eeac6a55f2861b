import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { chmod, mkdtemp, rm } from 'node:fs/promises';
import { createServer, request as httpRequest, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { BrowserContext, Route } from 'playwright-core';
import { completeLocalOnboarding, loadCliConfig, openContext, tenantProvision, type CliContext } from '@mindbot/cli';
import { TenantClients } from '@mindbot/db';
import { createStripeClient } from '@mindbot/stripe-connect';
import type { TenantManifest } from '@mindbot/tenancy';
import { createTestDatabase, portAllocator, testManifest, testRedisUrl, uniqueSlug, type TestDatabase } from '@mindbot/testing';
import { grantRole } from '../../cli/src/commands/user-role.js';
import { completeCheckout } from '../../cli/src/local-payments.js';
import { startLocalStripe, type LocalStripe } from '../../scripts/local-stripe.js';

// The whole platform for the browser tests, as `npm start` runs it (scripts/dev-start.ts in a
// process of its own, as test/newcomer-journey.test.ts starts it): gateway, billing, SSO and the
// agent worker as compiled-from-source services, livekit-server, stripe-mock, a fresh test database
// and the test Redis, on free ports. The agent speaks through eSpeak with the scripted language
// model (as test/voice-call.test.ts). Stripe is stripe-mock behind npm start's own front
// (scripts/local-stripe.ts), with one more front here that remembers where each Checkout Session
// sends the buyer back (stripe-mock keeps nothing), so the local Checkout page can return there.

const root = fileURLToPath(new URL('../../', import.meta.url));
const START_TIMEOUT_MS = 240_000;

export interface TenantOptions {
  displayName?: string;
  primaryColor?: string;
  accentColor?: string;
  /** Origins of other websites allowed to embed this tenant's widget. */
  embedOrigins?: string[];
  greeting?: string;
  /** Slug of the reseller tenant that sells to this one (the manifest's `parentReseller`). */
  parentReseller?: string;
  /** Branding the manifest leaves out, so the tenant's admins set it in the console (ADR 0055). */
  leaveToConsole?: ('primaryColor' | 'greeting')[];
  /** Emails the manifest names as the tenant's owners (`spec.owners`). */
  owners?: string[];
}

export interface ApiAnswer {
  status: number;
  body: Record<string, unknown>;
}

export interface CheckoutReturn {
  successUrl: string;
  cancelUrl: string;
}

export interface BrowserPlatform {
  gatewayPort: number;
  /** `http://<slug>.localhost:<gateway port>`: the tenant's origin as a browser reaches it. */
  tenantOrigin(slug: string): string;
  /** Provisions a tenant (its Stripe account made and onboarded, so it can sell); returns its slug. */
  addTenant(prefix: string, options?: TenantOptions): Promise<string>;
  /** One API call through the gateway, with the tenant's Host. */
  api(slug: string, method: string, path: string, options?: { token?: string; body?: unknown; origin?: string }): Promise<ApiAnswer>;
  /** Signs up a user with a password; returns its access token. */
  signUp(slug: string, email: string, password: string): Promise<string>;
  /** Grants one of the tenant's roles (e.g. `admin`) to an existing user, as `mindbot user role` does. */
  grantRole(slug: string, email: string, role: string): Promise<void>;
  /** Buys `packageId` (default the tenant's first package) for the user and pays it; returns the issued card's activation code. */
  buyCard(slug: string, token: string, packageId?: string): Promise<{ code: string; seconds: number; purchaseId: string }>;
  /** Adds a package to the tenant's catalogue (as an admin would); returns its id. */
  addPackage(slug: string, pkg: { name: string; baseSeconds: number; priceCents?: number }): Promise<string>;
  /** Pays a pending purchase as Stripe would (a signed checkout.session.completed to billing's webhook). */
  pay(purchaseId: string): Promise<void>;
  /** Where a Checkout Session sends its buyer back, as billing asked Stripe. */
  checkoutReturn(sessionId: string): CheckoutReturn | undefined;
  /**
   * Serves Stripe's Checkout pages (checkout.stripe.com, which stripe-mock links to but does not
   * serve) in this browser context: a page with `Pay` and `Cancel` buttons; Pay completes the
   * purchase as Stripe would, then either goes to the session's success URL, Cancel to its cancel URL.
   */
  serveLocalCheckout(context: BrowserContext): Promise<void>;
  /** The manifest `addTenant` provisioned the tenant from. */
  manifest(slug: string): TenantManifest | undefined;
  /** The tenant's own database (its schema), for a test to read what the platform recorded, such as the ledger. */
  tenantDb(slug: string): ReturnType<TenantClients['forTenant']>;
  /** What the platform's processes printed (for failures). */
  output(): string;
  stop(): Promise<void>;
}

function readBody(req: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.once('end', () => resolve(Buffer.concat(chunks)));
    req.once('error', reject);
  });
}

/** A front to npm start's Stripe front that remembers each created Checkout Session's return URLs. */
async function startCheckoutRecorder(
  upstream: LocalStripe,
): Promise<{ url: string; sessions: Map<string, CheckoutReturn>; close(): Promise<void> }> {
  const sessions = new Map<string, CheckoutReturn>();
  const server: Server = createServer((req, res) => {
    void (async () => {
      const body = await readBody(req);
      const headers = new Headers();
      for (const [name, value] of Object.entries(req.headers)) {
        if (value === undefined || ['host', 'connection', 'content-length', 'transfer-encoding', 'keep-alive'].includes(name)) continue;
        headers.set(name, Array.isArray(value) ? value.join(', ') : value);
      }
      const method = req.method ?? 'GET';
      const answer = await fetch(`${upstream.url}${req.url ?? '/'}`, {
        method,
        headers,
        ...(method === 'GET' || method === 'HEAD' ? {} : { body: new Uint8Array(body) }),
      });
      const text = await answer.text();
      if (method === 'POST' && answer.ok && new URL(req.url ?? '/', upstream.url).pathname === '/v1/checkout/sessions') {
        const sent = new URLSearchParams(body.toString('utf8'));
        const created = JSON.parse(text) as { id?: unknown };
        if (typeof created.id === 'string')
          sessions.set(created.id, { successUrl: sent.get('success_url') ?? '', cancelUrl: sent.get('cancel_url') ?? '' });
      }
      res.writeHead(answer.status, {
        'content-type': answer.headers.get('content-type') ?? 'application/json',
        'request-id': answer.headers.get('request-id') ?? '',
      });
      res.end(text);
    })().catch((error: unknown) => {
      res.writeHead(502, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ error: { type: 'api_error', message: String(error) } }));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    sessions,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** The scripted conversation of the agent (AGENT_LLM=scripted): it greets in the persona's words from the manifest. */
const AGENT_LLM_SCRIPT = JSON.stringify([{ input: 'how much time do I have', toolCalls: [{ name: 'check_time_balance', args: {} }] }]);

export interface BrowserPlatformOptions {
  /** More environment for npm start's services, e.g. `SSO_ALLOW_INSECURE_IDP_URLS: 'true'` for an IdP double on plain http. */
  env?: Record<string, string>;
}

export async function startBrowserPlatform(options: BrowserPlatformOptions = {}): Promise<BrowserPlatform> {
  const database: TestDatabase = await createTestDatabase();
  const dataDir = await mkdtemp(join(tmpdir(), 'mindbot-browser-'));
  await chmod(dataDir, 0o755);
  const stripe = await startLocalStripe();
  const recorder = await startCheckoutRecorder(stripe);
  // Four different ports for npm start's services (two free ports chosen one after the other may be
  // the same), none of them a port the caller already chose for one (the console world's SSO_PORT).
  const nextPort = portAllocator(
    Object.entries(options.env ?? {}).flatMap(([name, value]) => (name.endsWith('_PORT') ? [Number(value)] : [])),
  );
  const gatewayPort = await nextPort();
  const billingPort = await nextPort();
  const secretKey = `sk_test_${randomBytes(12).toString('hex')}`;
  const webhookSecret = `whsec_${randomBytes(16).toString('hex')}`;
  const stripeEnv = { STRIPE_SECRET_KEY: secretKey, STRIPE_API_URL: recorder.url, STRIPE_WEBHOOK_SECRET: webhookSecret };
  const billingUrl = `http://127.0.0.1:${billingPort}`;
  const keep = ['PATH', 'HOME', 'LANG', 'TMPDIR', 'MINDBOT_TOOLS_DIR', 'STRIPE_MOCK_BIN', 'LIVEKIT_SERVER_BIN'];
  const env: NodeJS.ProcessEnv = {
    ...Object.fromEntries(keep.flatMap((name) => (process.env[name] === undefined ? [] : [[name, process.env[name]]]))),
    MINDBOT_DATA_DIR: dataDir,
    DATABASE_URL: database.url,
    REDIS_URL: testRedisUrl(),
    GATEWAY_PORT: String(gatewayPort),
    BILLING_PORT: String(billingPort),
    SSO_PORT: String(await nextPort()),
    AGENT_PORT: String(await nextPort()),
    ...stripeEnv,
    AGENT_TTS: 'espeak',
    AGENT_LLM: 'scripted',
    AGENT_LLM_SCRIPT,
    AGENT_HEARTBEAT_SECONDS: '1',
    // The worker's load as the share of calls running, not the CPU: on a busy two-core machine (a
    // browser, the whole platform) a CPU-measured load keeps the worker marked full and LiveKit
    // dispatches it nothing (as test/voice-call.test.ts sets it).
    AGENT_MAX_CALLS: '20',
    ...options.env,
  };
  let output = '';
  const platform: ChildProcess = spawn(process.execPath, ['--import', 'tsx', join(root, 'scripts/dev-start.ts')], {
    cwd: root,
    env,
    detached: true,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  platform.stdout?.on('data', (d: Buffer) => (output = (output + d.toString()).slice(-200_000)));
  platform.stderr?.on('data', (d: Buffer) => (output = (output + d.toString()).slice(-200_000)));

  const stopPlatform = async () => {
    if (platform.exitCode === null && platform.signalCode === null && platform.pid !== undefined) {
      let timer: NodeJS.Timeout | undefined;
      const exited = new Promise<boolean>((r) => platform.once('exit', () => r(true)));
      platform.kill('SIGTERM');
      const stopped = await Promise.race([exited, new Promise<boolean>((r) => (timer = setTimeout(() => r(false), 30_000)))]);
      clearTimeout(timer);
      // Only the process group this platform made (it was started detached).
      if (!stopped) process.kill(-platform.pid, 'SIGKILL');
    }
  };

  let context: CliContext | undefined;
  let tenants: TenantClients | undefined;
  try {
    const started = Date.now();
    while (!output.includes('MindBot Platform is up')) {
      if (platform.exitCode !== null) throw new Error(`npm start exited with ${platform.exitCode}:\n${output.slice(-4000)}`);
      if (Date.now() - started > START_TIMEOUT_MS)
        throw new Error(`npm start was not up after ${START_TIMEOUT_MS} ms:\n${output.slice(-4000)}`);
      await new Promise((r) => setTimeout(r, 250));
    }
    const config = loadCliConfig({ DATABASE_URL: database.url, BILLING_URL: billingUrl, ...stripeEnv, NODE_ENV: 'test' });
    context = await openContext(config);
    tenants = new TenantClients(context.pool);
  } catch (error) {
    await stopPlatform();
    await recorder.close();
    await stripe.stop();
    await database.dispose();
    throw error;
  }
  const cli = context;
  const tenantClients = tenants;
  const target = { billingUrl, webhookSecret, livemode: false, secretKey };
  const manifests = new Map<string, TenantManifest>();

  const api: BrowserPlatform['api'] = (slug, method, path, options = {}) => {
    const payload = options.body === undefined ? undefined : JSON.stringify(options.body);
    return new Promise((resolve, reject) => {
      const req = httpRequest(
        {
          host: '127.0.0.1',
          port: gatewayPort,
          method,
          path,
          headers: {
            host: `${slug}.localhost:${gatewayPort}`,
            ...(options.origin ? { origin: options.origin } : {}),
            ...(options.token ? { authorization: `Bearer ${options.token}` } : {}),
            ...(payload === undefined ? {} : { 'content-type': 'application/json', 'content-length': Buffer.byteLength(payload) }),
          },
          timeout: 30_000,
        },
        (res) => {
          let text = '';
          res.setEncoding('utf8');
          res.on('data', (chunk: string) => (text += chunk));
          res.on('end', () => {
            let body: Record<string, unknown>;
            try {
              body = text ? (JSON.parse(text) as Record<string, unknown>) : {};
            } catch {
              body = { text };
            }
            resolve({ status: res.statusCode ?? 0, body });
          });
        },
      );
      req.once('timeout', () => req.destroy(new Error(`${method} ${path} timed out`)));
      req.once('error', reject);
      req.end(payload);
    });
  };

  const pay = async (purchaseId: string) => {
    const done = await completeCheckout(cli.platform, tenantClients, target, { purchaseId });
    if (done.result !== 'delivered' || done.delivery.status !== 200 || !['applied', 'unchanged'].includes(done.delivery.outcome))
      throw new Error(`paying ${purchaseId}: ${JSON.stringify(done)}`);
  };

  const platformApi: BrowserPlatform = {
    gatewayPort,
    tenantOrigin: (slug) => `http://${slug}.localhost:${gatewayPort}`,
    async addTenant(prefix, options = {}) {
      const slug = uniqueSlug(prefix);
      const manifest: TenantManifest = testManifest(slug, options.displayName === undefined ? {} : { displayName: options.displayName });
      if (options.primaryColor) manifest.spec.branding.primaryColor = options.primaryColor;
      if (options.accentColor) manifest.spec.branding.accentColor = options.accentColor;
      if (options.greeting) manifest.spec.branding.greeting = options.greeting;
      if (options.parentReseller) manifest.spec.parentReseller = options.parentReseller;
      if (options.leaveToConsole?.includes('primaryColor')) delete manifest.spec.branding.primaryColor;
      if (options.leaveToConsole?.includes('greeting')) delete manifest.spec.branding.greeting;
      if (options.owners) manifest.spec.owners = options.owners;
      allowEmbedding(manifest, options.embedOrigins ?? []);
      const lines: string[] = [];
      const failed = await tenantProvision(cli, [manifest], (line) => lines.push(line));
      if (failed > 0) throw new Error(`provisioning ${slug} failed: ${lines.join('\n')}`);
      manifests.set(slug, manifest);
      const stripeClient = createStripeClient({ secretKey, apiUrl: recorder.url });
      const onboarded = await completeLocalOnboarding(cli.platform, stripeClient, target);
      const mine = onboarded.find((o) => o.tenant === slug);
      if (mine?.delivery.status !== 200) throw new Error(`onboarding ${slug}: ${JSON.stringify(mine)}`);
      return slug;
    },
    api,
    async signUp(slug, email, password) {
      const res = await api(slug, 'POST', '/v1/auth/password/register', { body: { email, password } });
      if (res.status !== 201) throw new Error(`sign-up on ${slug}: ${res.status} ${JSON.stringify(res.body)}`);
      return String(res.body.access_token);
    },
    async grantRole(slug, email, role) {
      const outcome = await grantRole(tenantClients, true, { tenant: slug, email, role });
      if (outcome.result !== 'granted' && outcome.result !== 'already_held')
        throw new Error(`granting ${role} to ${email} on ${slug}: ${JSON.stringify(outcome)}`);
    },
    async buyCard(slug, token, packageId) {
      const packages = await api(slug, 'GET', '/v1/packages', { token });
      const list = packages.body.packages as { id: string }[] | undefined;
      const chosen = packageId ?? list?.[0]?.id;
      if (!chosen) throw new Error(`no package to buy on ${slug}: ${JSON.stringify(packages.body)}`);
      const bought = await api(slug, 'POST', '/v1/purchases', { token, body: { packageId: chosen } });
      if (bought.status !== 201) throw new Error(`buying on ${slug}: ${bought.status} ${JSON.stringify(bought.body)}`);
      const purchaseId = String(bought.body.id);
      await pay(purchaseId);
      const cards = await api(slug, 'GET', '/v1/time-cards', { token });
      const card = (cards.body.timeCards as { purchaseId?: string; activationCode: string | null; seconds: number; status: string }[]).find(
        (c) => c.status === 'issued' && c.activationCode !== null && (c.purchaseId === undefined || c.purchaseId === purchaseId),
      );
      if (!card?.activationCode) throw new Error(`no issued card on ${slug}: ${JSON.stringify(cards.body)}`);
      return { code: card.activationCode, seconds: card.seconds, purchaseId };
    },
    pay,
    async addPackage(slug, pkg) {
      const id = `pkg_${randomBytes(8).toString('hex')}`;
      await tenantClients.forTenant(slug).transaction((tx) =>
        tx.package.create({
          data: { id, name: pkg.name, priceCents: pkg.priceCents ?? 199, currency: 'usd', baseSeconds: pkg.baseSeconds, sortOrder: 1 },
        }),
      );
      return id;
    },
    checkoutReturn: (sessionId) => recorder.sessions.get(sessionId),
    async serveLocalCheckout(browserContext) {
      await browserContext.route('https://checkout.stripe.com/**', async (route: Route) => {
        const request = route.request();
        const url = new URL(request.url());
        const sessionId = /cs_test_[A-Za-z0-9]+/.exec(url.pathname)?.[0];
        const back = sessionId === undefined ? undefined : recorder.sessions.get(sessionId);
        if (sessionId === undefined || back === undefined) {
          await route.fulfill({ status: 404, contentType: 'text/plain', body: `No Checkout Session here: ${url.pathname}` });
          return;
        }
        if (request.method() === 'POST') {
          const choice = new URLSearchParams(request.postData() ?? '').get('choice');
          if (choice === 'pay') {
            const purchaseId = await purchaseOfSession(cli, tenantClients, sessionId);
            await pay(purchaseId);
          }
          await route.fulfill({ status: 303, headers: { location: choice === 'pay' ? back.successUrl : back.cancelUrl } });
          return;
        }
        await route.fulfill({
          status: 200,
          contentType: 'text/html; charset=utf-8',
          body: `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Checkout (local)</title></head>
<body><main><h1>Checkout (local stripe-mock)</h1><p>Session ${sessionId}</p>
<form method="post"><button name="choice" value="pay">Pay</button> <button name="choice" value="cancel">Cancel</button></form></main></body></html>`,
        });
      });
    },
    manifest: (slug) => manifests.get(slug),
    tenantDb: (slug) => tenantClients.forTenant(slug),
    output: () => output,
    async stop() {
      await tenantClients.close();
      await cli.close();
      await stopPlatform();
      await recorder.close();
      await stripe.stop();
      await database.dispose();
      await rm(dataDir, { recursive: true, force: true });
    },
  };
  return platformApi;
}

/** The purchase a Checkout Session pays (billing records the session's id on the purchase). */
async function purchaseOfSession(cli: CliContext, tenants: TenantClients, sessionId: string): Promise<string> {
  const home = await cli.platform.tenant.findMany({ where: { home: true }, select: { slug: true } });
  for (const { slug } of home) {
    const purchase = await tenants
      .forTenant(slug)
      .transaction((tx) => tx.purchase.findFirst({ where: { checkoutSessionId: sessionId }, select: { id: true } }));
    if (purchase) return purchase.id;
  }
  throw new Error(`no purchase has Checkout Session ${sessionId}`);
}

/** Lets other websites (their origins) embed the tenant's widget: the manifest's `embedOrigins` (issue 13). */
function allowEmbedding(manifest: TenantManifest, origins: string[]): void {
  if (origins.length === 0) return;
  manifest.spec.embedOrigins = origins;
}
