// The platform the chaos run attacks: its own PostgreSQL, Redis and (when built) livekit-server and
// stripe-mock, and gateway, billing, SSO and (with LiveKit) the agent worker wired as `npm start`
// wires them (scripts/dev-start.ts), each restartable on its own. Seeded with the load-test seed
// (scripts/load-test-seed.ts): tenants, users with real platform tokens, and talk time.
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { createPool, MigrationRunner } from '@mindbot/db';
import { freePort, startRedisServer, stripeMockBinary, type RedisServer } from '@mindbot/testing';
import { localSecrets } from '../local-secrets.js';
import { startLocalStripe, type LocalStripe } from '../local-stripe.js';
import { hasLiveKit, liveKitServer, type RestartableLiveKit } from './livekit-server.js';
import { startPostgresServer, type PostgresServer } from './postgres-server.js';
import { request } from './http.js';
import { openShop, type Shop } from './shop.js';
import { serviceProcess, type ServiceName, type ServiceProcess } from './service-process.js';

const run = promisify(execFile);
const root = fileURLToPath(new URL('../../', import.meta.url));

export interface SeedUser {
  userId: string;
  token: string;
}
export interface Seed {
  tenants: { slug: string; users: SeedUser[] }[];
}

export interface ChaosPlatform {
  dir: string;
  gatewayUrl: string;
  billingUrl: string;
  baseDomain: string;
  /** The credential the gateway and agent present on billing's /internal routes. */
  serviceToken: string;
  webhookSecret: string;
  stripeSecretKey: string;
  postgres: PostgresServer;
  redis: RedisServer;
  livekit: RestartableLiveKit | undefined;
  stripe: LocalStripe | undefined;
  services: Record<ServiceName, ServiceProcess | undefined>;
  seedFile: string;
  seed: Seed;
  /** The tenant that sells, with stripe-mock; undefined without it. */
  shop: Shop | undefined;
  stop(): Promise<void>;
}

export interface ChaosPlatformOptions {
  tenants: number;
  usersPerTenant: number;
  /** Say what is happening. */
  say: (line: string) => void;
}

export async function startChaosPlatform(options: ChaosPlatformOptions): Promise<ChaosPlatform> {
  const dir = mkdtempSync(join(tmpdir(), 'mindbot-chaos-'));
  const cleanups: (() => Promise<void>)[] = [];
  const stop = async () => {
    for (const cleanup of cleanups.reverse()) await cleanup().catch(() => undefined);
  };
  try {
    const postgres = await startPostgresServer();
    cleanups.push(() => postgres.stop());
    const redis = await startRedisServer();
    cleanups.push(() => redis.stop());
    options.say(`postgres ${postgres.url}, redis ${redis.url}, logs in ${dir}`);

    const pool = createPool(postgres.url, { max: 2, applicationName: 'mindbot-chaos-setup' });
    try {
      await (await MigrationRunner.load(pool)).migrate({ kind: 'platform', schema: 'platform' });
    } finally {
      await pool.end();
    }

    const secrets = await localSecrets(join(dir, 'secrets.json'));
    const ports = { gateway: await freePort(), billing: await freePort(), sso: await freePort(), agent: freePort };
    const gatewayUrl = `http://127.0.0.1:${ports.gateway}`;
    const billingUrl = `http://127.0.0.1:${ports.billing}`;
    const ssoUrl = `http://127.0.0.1:${ports.sso}`;

    const stripe = existsSync(stripeMockBinary()) ? await startLocalStripe() : undefined;
    if (stripe) cleanups.push(() => stripe.stop());
    const stripeSecretKey = `sk_test_${randomBytes(12).toString('hex')}`;

    const livekit = hasLiveKit()
      ? await liveKitServer({
          apiKey: 'chaos',
          apiSecret: randomBytes(32).toString('base64url'),
          webhookUrl: `${gatewayUrl}/v1/webhooks/livekit`,
        })
      : undefined;
    if (livekit) {
      await livekit.start();
      cleanups.push(() => livekit.stop());
    }
    options.say(`stripe-mock: ${stripe ? stripe.url : 'not built'}; livekit-server: ${livekit ? livekit.apiUrl : 'not built'}`);

    const keep = ['PATH', 'HOME', 'LANG', 'TMPDIR', 'MINDBOT_TOOLS_DIR'];
    const common: NodeJS.ProcessEnv = {
      ...Object.fromEntries(keep.flatMap((name) => (process.env[name] === undefined ? [] : [[name, process.env[name]]]))),
      LOG_LEVEL: process.env.CHAOS_LOG_LEVEL ?? 'warn',
      DATABASE_URL: postgres.url,
      REDIS_URL: redis.url,
      BILLING_SERVICE_TOKEN: secrets.billingServiceToken,
      BILLING_SERVICE_TOKENS: secrets.billingServiceToken,
      SSO_SERVICE_TOKENS: secrets.billingServiceToken,
      SSO_ISSUER: ssoUrl,
      SSO_SIGNING_KEYS: secrets.ssoSigningKeys,
      SSO_SIGNING_KID: secrets.ssoSigningKid,
      SSO_SECRET_KEYS: secrets.ssoSecretKeys,
      SSO_PUBLIC_SCHEME: 'http',
      SSO_PUBLIC_PORT: String(ports.gateway),
      AUTH_ISSUER: ssoUrl,
      AUTH_JWKS_URL: `${ssoUrl}/.well-known/jwks.json`,
      SSO_URL: ssoUrl,
      BILLING_URL: billingUrl,
      PUBLIC_SCHEME: 'http',
    };
    const env: Record<ServiceName, NodeJS.ProcessEnv> = {
      // Access tokens outlive the run (the seed's tokens are what the load and k6 send).
      sso: { ...common, TRUST_PROXY: 'loopback', SSO_ACCESS_TOKEN_TTL_SECONDS: '3600' },
      billing: {
        ...common,
        TRUST_PROXY: 'loopback',
        STRIPE_SECRET_KEY: stripeSecretKey,
        // Voice sessions call no Stripe API: without stripe-mock, Stripe points nowhere (as the gateway's tests run billing).
        STRIPE_API_URL: stripe?.url ?? 'http://127.0.0.1:9',
        STRIPE_WEBHOOK_SECRET: secrets.stripeWebhookSecret,
      },
      gateway: {
        ...common,
        WEBHOOKS_ALLOW_PRIVATE_TARGETS: 'true',
        ...(livekit
          ? {
              LIVEKIT_URL: livekit.url,
              LIVEKIT_API_URL: livekit.apiUrl,
              LIVEKIT_API_KEY: livekit.apiKey,
              LIVEKIT_API_SECRET: livekit.apiSecret,
              AGENT_DISPATCH: 'shared',
            }
          : {}),
      },
      agent: livekit
        ? {
            ...common,
            LIVEKIT_URL: livekit.url,
            LIVEKIT_API_KEY: livekit.apiKey,
            LIVEKIT_API_SECRET: livekit.apiSecret,
            AGENT_TTS: 'none',
            AGENT_LLM: 'none',
            AGENT_MAX_CALLS: '200',
            AGENT_HEARTBEAT_SECONDS: '1',
          }
        : {},
    };
    const services: Record<ServiceName, ServiceProcess | undefined> = {
      sso: undefined,
      billing: undefined,
      gateway: undefined,
      agent: undefined,
    };
    for (const name of ['sso', 'billing', 'gateway', 'agent'] as const) {
      if (name === 'agent' && !livekit) continue;
      const service = serviceProcess({ name, port: ports[name], env: env[name], logDir: dir });
      services[name] = service;
      cleanups.push(() => service.stop());
      await service.start();
      options.say(`${name} ready on ${service.url()}`);
    }

    const seedFile = join(dir, 'seed.json');
    const seedOnce = () =>
      run(process.execPath, ['--import', 'tsx', join(root, 'scripts/load-test-seed.ts')], {
        cwd: root,
        env: {
          ...process.env,
          DATABASE_URL: postgres.url,
          MINDBOT_BASE_URL: gatewayUrl,
          MINDBOT_SEED: seedFile,
          LOAD_TENANTS: String(options.tenants),
          LOAD_USERS: String(options.usersPerTenant),
        },
      });
    // Once more after a failure: a run of the seed picks up where the last one stopped (it signs existing users in again).
    await seedOnce().catch((error: unknown) => {
      options.say(`seeding failed once, again: ${error instanceof Error ? error.message.split('\n')[0] : String(error)}`);
      return seedOnce();
    });
    const seed = JSON.parse(readFileSync(seedFile, 'utf8')) as Seed;
    options.say(`seeded ${seed.tenants.length} tenants × ${options.usersPerTenant} users`);
    const shop = stripe
      ? await openShop({
          databaseUrl: postgres.url,
          billingUrl,
          stripeUrl: stripe.url,
          secretKey: stripeSecretKey,
          webhookSecret: secrets.stripeWebhookSecret,
          async register(slug, email, password) {
            const res = await request(`${gatewayUrl}/v1/auth/password/register`, {
              method: 'POST',
              headers: { host: `${slug}.localhost` },
              body: { email, password },
            });
            if (res.status !== 201 || typeof res.body.access_token !== 'string')
              throw new Error(`registering the buyer: ${res.status} ${JSON.stringify(res.body)}`);
            return res.body.access_token;
          },
          async packages(slug, token) {
            const res = await request(`${gatewayUrl}/v1/packages`, {
              headers: { host: `${slug}.localhost`, authorization: `Bearer ${token}` },
            });
            const first = (res.body.packages as { id?: unknown }[] | undefined)?.[0]?.id;
            if (typeof first !== 'string') throw new Error(`no package to buy: ${res.status} ${JSON.stringify(res.body)}`);
            return first;
          },
        })
      : undefined;
    if (shop) {
      cleanups.push(() => shop.close());
      options.say(`shop tenant ${shop.slug} sells package ${shop.packageId}`);
    }
    // CHAOS_KEEP=1 keeps the services' logs (and the seed) for a look after the run.
    if (!process.env.CHAOS_KEEP) cleanups.push(() => rm(dir, { recursive: true, force: true }));
    return {
      dir,
      gatewayUrl,
      billingUrl,
      baseDomain: 'localhost',
      serviceToken: secrets.billingServiceToken,
      webhookSecret: secrets.stripeWebhookSecret,
      stripeSecretKey,
      postgres,
      redis,
      livekit,
      stripe,
      services,
      seedFile,
      seed,
      shop,
      stop,
    };
  } catch (error) {
    await stop();
    throw error;
  }
}
