import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Express } from 'express';
import { createTokenVerifier, type TokenVerifier, type TokenVerifierOptions } from '@mindbot/auth';
import { MigrationRunner } from '@mindbot/db';
import { startServer, type RunningServer } from '@mindbot/http';
import { TenantProvisioner } from '@mindbot/provisioning';
import type { RedisDownPolicy } from '@mindbot/rate-limit';
import { buildServiceDeps, type ServiceDeps } from '@mindbot/service-runtime';
import type { Region, TenantManifest } from '@mindbot/tenancy';
import {
  captureLogger,
  createTestDatabase,
  createTestTokenIssuer,
  testManifest,
  testRedisUrl,
  type CapturedLogger,
  type TestDatabase,
  type TestTokenIssuer,
} from '@mindbot/testing';
import { createApp } from '../app.js';
import { DEFAULT_WIDGET_DIST_DIR } from '../config.js';
import { buildGatewayDeps, type GatewayDeps, type GatewaySettings } from '../deps.js';
import type { LiveKitSettings } from '../domain/voice-rooms.js';
import { grantSeconds } from './grant-seconds.js';

export const BILLING_SERVICE_TOKEN = 'svc_gateway_test_0123456789abcdef0123456789';
export const LIVEKIT_DEV_KEY = 'devkey';
export const LIVEKIT_DEV_SECRET = 'secret_for_gateway_tests_0123456789abcdef';

export interface GatewayHarnessOptions {
  region?: Region;
  /** Share a database (and token issuer) with another harness; else a fresh database. */
  database?: TestDatabase;
  issuer?: TestTokenIssuer;
  /** Verify platform tokens with this (e.g. the real SSO's JWKS) instead of the test issuer's keys. */
  verifier?: TokenVerifier;
  /** Verify platform tokens of this issuer (e.g. the real SSO's JWKS), against this process's revocation list as main.ts does. */
  auth?: Pick<TokenVerifierOptions, 'jwks' | 'issuer' | 'audience'>;
  regionUrls?: Partial<Record<string, string>>;
  /** `null`: single-node, no Redis. */
  redisUrl?: string | null;
  whenRedisDown?: RedisDownPolicy;
  trustProxy?: boolean | number | string;
  billingUrl?: string;
  ssoUrl?: string;
  /** `null`: a deployment without LiveKit. */
  livekit?: Partial<LiveKitSettings> | null;
  bodyLimit?: string;
  registryTtlMs?: number;
  limitShares?: { principal: number; ip: number };
  /** VOICE_REQUIRE_AGENT: refuse sessions no ready agent worker could answer. */
  requireAgent?: boolean;
  /** WIDGET_DIST_DIR: the widget's build (default the repository's web/widget/dist, as `npm run build:web` writes it). */
  widgetDistDir?: string;
}

export interface GatewayHarness {
  app: Express;
  deps: ServiceDeps;
  gateway: GatewayDeps;
  database: TestDatabase;
  issuer: TestTokenIssuer;
  log: CapturedLogger;
  provisioner: TenantProvisioner;
  region: Region;
  /** Provisions (or updates) a tenant in this harness's database; returns its manifest. */
  provision(
    slug: string,
    change?: (manifest: TenantManifest) => void,
    overrides?: Parameters<typeof testManifest>[1],
  ): Promise<TenantManifest>;
  token(tenant: string, userId?: string, roles?: string[]): Promise<string>;
  /** Gives the user `seconds` of talk time, as an activated time card would (billing's tables). */
  grantSeconds(tenant: string, userId: string, seconds: number): Promise<void>;
  /** Starts the app on a free port (for k6, LiveKit webhooks and real HTTP). */
  listen(port?: number): Promise<RunningServer>;
  close(): Promise<void>;
}

export async function startGatewayHarness(options: GatewayHarnessOptions = {}): Promise<GatewayHarness> {
  const region = options.region ?? 'eu-west';
  const ownDatabase = !options.database;
  const database = options.database ?? (await createTestDatabase());
  const log = captureLogger('gateway');
  const redisUrl = options.redisUrl === null ? undefined : (options.redisUrl ?? testRedisUrl());
  const deps = buildServiceDeps({
    service: 'gateway',
    region,
    logger: log.logger,
    databaseUrl: database.url,
    redisUrl,
    bodyLimit: options.bodyLimit ?? '100kb',
    trustProxy: options.trustProxy ?? false,
    registryTtlMs: options.registryTtlMs ?? 60_000,
  });
  const migrations = await MigrationRunner.load(deps.pool);
  await migrations.migrate({ kind: 'platform', schema: 'platform' });
  const provisioner = new TenantProvisioner({ pool: deps.pool, platform: deps.platform, migrations, region, actor: 'test' });
  const issuer = options.issuer ?? (await createTestTokenIssuer());
  const settings: GatewaySettings = {
    region,
    baseDomain: 'localhost',
    scheme: 'http',
    regionUrls: options.regionUrls ?? {},
    verifier:
      options.verifier ??
      createTokenVerifier({
        ...(options.auth ?? { jwks: issuer.jwks, issuer: issuer.issuer, audience: issuer.audience }),
        revokedSessions: deps.revokedSessions,
      }),
    billingUrl: options.billingUrl ?? 'http://127.0.0.1:9',
    ssoUrl: options.ssoUrl ?? 'http://127.0.0.1:9',
    billingServiceToken: BILLING_SERVICE_TOKEN,
    livekit:
      options.livekit === null
        ? undefined
        : {
            url: 'ws://127.0.0.1:9',
            apiUrl: 'http://127.0.0.1:9',
            apiKey: LIVEKIT_DEV_KEY,
            apiSecret: LIVEKIT_DEV_SECRET,
            sharedPoolName: 'mindbot-shared',
            tokenTtlSeconds: 600,
            ...options.livekit,
          },
    whenRedisDown: options.whenRedisDown ?? 'local',
    limitShares: options.limitShares ?? { principal: 0.5, ip: 0.5 },
    requireAgent: options.requireAgent ?? false,
    widgetDistDir: options.widgetDistDir ?? DEFAULT_WIDGET_DIST_DIR,
  };
  const gateway = buildGatewayDeps(deps, settings);
  await gateway.listening;
  const app = createApp(deps, gateway);
  const servers: RunningServer[] = [];

  return {
    app,
    deps,
    gateway,
    database,
    issuer,
    log,
    provisioner,
    region,
    async provision(slug, change, overrides) {
      const manifest = testManifest(slug, { region, ...overrides });
      change?.(manifest);
      await provisioner.provision(manifest);
      return manifest;
    },
    token: (tenant, userId = 'usr_test', roles = ['member']) => issuer.sign({ tenant, userId, roles }),
    grantSeconds: (tenant, userId, seconds) => grantSeconds(deps.tenants, tenant, userId, seconds),
    async listen(port = 0) {
      const running = await startServer(app, { port, logger: log.logger, lifecycle: deps.lifecycle, shutdownTimeoutMs: 1_000 });
      servers.push(running);
      return running;
    },
    async close() {
      for (const server of servers) await server.close();
      await deps.close();
      if (ownDatabase) await database.dispose();
    },
  };
}

/** Serves a token issuer's JWKS over HTTP, as the SSO service does, for services that fetch it (billing). */
export async function serveJwks(issuer: TestTokenIssuer): Promise<{ url: string; close(): Promise<void> }> {
  const server: Server = createServer((_req, res) => {
    res.setHeader('content-type', 'application/json');
    res.end(JSON.stringify(issuer.jwks));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/.well-known/jwks.json`,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
