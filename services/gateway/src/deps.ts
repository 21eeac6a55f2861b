import { scheduleAuditRetention } from '@mindbot/audit';
import { BillingServiceClient } from '@mindbot/billing-client';
import { AppError } from '@mindbot/errors';
import { createTokenVerifier, type RevokedSessions, type TokenVerifier } from '@mindbot/auth';
import { RateLimiter, type RedisDownPolicy } from '@mindbot/rate-limit';
import type { KeyEncryptionKey } from '@mindbot/envelope';
import { Jobs, logNotices, registerJobMetrics, WebhookSecrets } from '@mindbot/jobs';
import type { Mailer } from '@mindbot/mailer';
import { mailWebhookNotices, notificationWorkers, registryBrands } from '@mindbot/notifications';
import type { ServiceDeps } from '@mindbot/service-runtime';
import { BrandingOverrides, type TenantRecord, type TenantRegistry } from '@mindbot/tenant-registry';
import { DEFAULT_CONSOLE_DIST_DIR, type GatewayConfig } from './config.js';
import { AgentAvailability } from './domain/agent-availability.js';
import { ApiKeys } from './domain/api-keys.js';
import { BrandingEdits } from './domain/branding-edits.js';
import { BrandingEditRecords } from './data/branding-edit-records.js';
import { VoiceRooms, type LiveKitSettings } from './domain/voice-rooms.js';
import { RegionMap } from './domain/regions.js';
import { VoiceSessions } from './domain/voice-sessions.js';
import { WebhookEndpoints } from './domain/webhook-endpoints.js';

/** What the gateway needs beyond the shared service dependencies; built once in main.ts or by a test. */
export interface GatewayDeps {
  region: string;
  baseDomain: string;
  scheme: 'http' | 'https';
  regions: RegionMap;
  /** The process's registry reader (ServiceDeps.registry). */
  registry: TenantRegistry;
  apiKeys: ApiKeys;
  /** Tenant admins' branding and default persona, beside the Tenant manifest (ADR 0055). */
  brandingEdits: BrandingEdits;
  limiter: RateLimiter;
  limitShares: { principal: number; ip: number };
  verifier: TokenVerifier;
  upstreams: { billing: URL; sso: URL };
  /** Absent when this deployment has no LiveKit: voice routes answer 503. */
  voiceSessions: VoiceSessions | undefined;
  /** Settles once the registry listener's first connection attempt is over (it retries by itself after). */
  listening: Promise<void>;
  /** What the widget routes and the hosted page serve: the widget's build, and the LiveKit URL its calls connect to (for the page's CSP); and the console's build. */
  web: { widgetDistDir: string; consoleDistDir: string; livekitUrl: string | undefined };
  /** Tenant admins' webhook endpoints; deliveries run in the jobs component ({@link startJobsComponent}). */
  webhooks: WebhookEndpoints;
}

export interface GatewaySettings {
  region: string;
  baseDomain: string;
  scheme: 'http' | 'https';
  regionUrls: Partial<Record<string, string>>;
  verifier: TokenVerifier;
  billingUrl: string;
  ssoUrl: string;
  billingServiceToken: string;
  livekit: LiveKitSettings | undefined;
  whenRedisDown: RedisDownPolicy;
  limitShares: { principal: number; ip: number };
  rateWindowMs?: number;
  /** Refuse voice sessions (503) when no worker of the tenant's agent name reports itself ready. */
  requireAgent?: boolean;
  /** The widget's build output (WIDGET_DIST_DIR). */
  widgetDistDir: string;
  /** The console's build output (CONSOLE_DIST_DIR); the repository's web/console/dist when not given. */
  consoleDistDir?: string;
  /** WEBHOOKS_ALLOW_PRIVATE_TARGETS: http:// and private webhook targets allowed (tests, local development); default false. */
  webhooksAllowPrivateTargets?: boolean;
  /** WEBHOOK_SECRET_KEYS: seal webhook signing secrets at rest. */
  webhookSecretKeys?: KeyEncryptionKey[] | undefined;
}

/** The gateway's settings from its configuration; `revokedSessions` is the process's revocation list (ServiceDeps). */
export function settingsFromConfig(config: GatewayConfig, revokedSessions: RevokedSessions): GatewaySettings {
  return {
    region: config.MINDBOT_REGION,
    baseDomain: config.BASE_DOMAIN,
    scheme: config.PUBLIC_SCHEME,
    regionUrls: config.REGION_URLS,
    verifier: createTokenVerifier({
      jwks: new URL(config.AUTH_JWKS_URL),
      issuer: config.AUTH_ISSUER,
      audience: config.AUTH_AUDIENCE,
      revokedSessions,
    }),
    billingUrl: config.BILLING_URL,
    ssoUrl: config.SSO_URL,
    billingServiceToken: config.BILLING_SERVICE_TOKEN,
    livekit:
      config.LIVEKIT_URL && config.LIVEKIT_API_KEY && config.LIVEKIT_API_SECRET
        ? {
            url: config.LIVEKIT_URL,
            apiUrl: config.LIVEKIT_API_URL ?? config.LIVEKIT_URL.replace(/^ws/, 'http'),
            apiKey: config.LIVEKIT_API_KEY,
            apiSecret: config.LIVEKIT_API_SECRET,
            sharedPoolName: config.AGENT_POOL_NAME,
            sharedPoolOnly: config.AGENT_DISPATCH === 'shared',
            tokenTtlSeconds: config.VOICE_TOKEN_TTL_SECONDS,
          }
        : undefined,
    whenRedisDown: config.RATE_LIMIT_WHEN_REDIS_DOWN,
    requireAgent: config.VOICE_REQUIRE_AGENT,
    limitShares: { principal: config.RATE_LIMIT_PRINCIPAL_SHARE, ip: config.RATE_LIMIT_IP_SHARE },
    widgetDistDir: config.WIDGET_DIST_DIR,
    consoleDistDir: config.CONSOLE_DIST_DIR,
    webhooksAllowPrivateTargets: config.WEBHOOKS_ALLOW_PRIVATE_TARGETS,
    webhookSecretKeys: config.WEBHOOK_SECRET_KEYS,
  };
}

/** Builds the gateway's parts over the shared ones (the registry and its listener come with ServiceDeps). */
export function buildGatewayDeps(deps: ServiceDeps, settings: GatewaySettings): GatewayDeps {
  const registry = deps.registry;
  const apiKeys = new ApiKeys(deps.tenants, deps.logger, deps.notifications);
  const billingUrl = new URL(settings.billingUrl);
  return {
    region: settings.region,
    baseDomain: settings.baseDomain,
    scheme: settings.scheme,
    regions: new RegionMap(settings.region, settings.regionUrls, settings.scheme, settings.baseDomain),
    registry,
    apiKeys,
    brandingEdits: brandingEditsOf(deps, settings),
    limiter: new RateLimiter(deps.redis, deps.logger, {
      name: 'gateway',
      window: 'sliding',
      windowMs: settings.rateWindowMs ?? 60_000,
      whenRedisDown: settings.whenRedisDown,
      // GET /v1/branding and the other hot paths do not wait for Redis while a tenant has used less than a
      // fifth of a limit: counts reserved in Redis ahead, so every replica's are shared and no limit is passed.
      localHeadroom: { share: 0.8 },
    }),
    limitShares: settings.limitShares,
    verifier: settings.verifier,
    upstreams: { billing: billingUrl, sso: new URL(settings.ssoUrl) },
    voiceSessions: settings.livekit
      ? new VoiceSessions({
          tenants: deps.tenants,
          billing: new BillingServiceClient(billingUrl, settings.billingServiceToken),
          rooms: new VoiceRooms(settings.livekit),
          livekitUrl: settings.livekit.url,
          // Set when VOICE_REQUIRE_AGENT is on (and Redis is configured): sessions need a worker that reports itself ready.
          agents: settings.requireAgent && deps.redis ? new AgentAvailability(deps.redis, deps.logger) : undefined,
          region: settings.region,
          tenantBySlug: (slug) => registry.bySlug(slug),
        })
      : undefined,
    listening: registry.ready(),
    web: {
      widgetDistDir: settings.widgetDistDir,
      consoleDistDir: settings.consoleDistDir ?? DEFAULT_CONSOLE_DIST_DIR,
      livekitUrl: settings.livekit?.url,
    },
    webhooks: new WebhookEndpoints(
      deps.tenants,
      { allowPrivateTargets: settings.webhooksAllowPrivateTargets ?? false },
      new WebhookSecrets(settings.webhookSecretKeys),
    ),
  };
}

/**
 * The jobs component (JOBS_WORKER): the outbox relay and the webhook deliveries, in the gateway's
 * process for now (ADR 0056). It starts in the background, retrying until Postgres answers, and
 * stops before the shared dependencies close, so no delivery is cut off by a closed pool.
 */
export function startJobsComponent(
  deps: ServiceDeps,
  options: {
    databaseUrl: string;
    allowPrivateTargets: boolean;
    secretKeys: KeyEncryptionKey[] | undefined;
    /** The users' notifications (ADR 0058): where mail goes, and the origin a tenant's links lead to. */
    notifications?: { mailer: Mailer; originOf: (tenant: TenantRecord) => string };
  },
): Jobs {
  if (!options.secretKeys) deps.logger.warn('WEBHOOK_SECRET_KEYS is not set: webhook signing secrets are stored unsealed');
  const brands = options.notifications ? registryBrands(deps.registry, options.notifications.originOf) : undefined;
  const notifications =
    options.notifications && brands
      ? notificationWorkers({
          tenants: deps.tenants,
          platform: deps.platform,
          mailer: options.notifications.mailer,
          brands,
          logger: deps.logger,
          registry: deps.metrics.registry,
        })
      : undefined;
  const metrics = registerJobMetrics(deps.metrics.registry, () => jobs.queueCounts());
  const jobs = new Jobs({
    ...(notifications ? { relayedWorkers: notifications.relayedWorkers, scheduledWorkers: notifications.scheduledWorkers } : {}),
    connectionString: options.databaseUrl,
    tenants: deps.tenants,
    platform: deps.platform,
    listener: deps.notifications,
    logger: deps.logger,
    webhooks: {
      allowPrivateTargets: options.allowPrivateTargets,
      // The tenant's owners and admins get a branded mail when an endpoint is disabled (ADR 0058); else the log.
      notices:
        options.notifications && brands
          ? mailWebhookNotices({ tenants: deps.tenants, mailer: options.notifications.mailer, brands, logger: deps.logger })
          : logNotices(deps.logger),
      secrets: new WebhookSecrets(options.secretKeys),
      attempts: metrics.webhookDeliveries,
    },
  });
  // An object, not a let: the start loop reads what close() writes later.
  const state = { closing: false };
  const started = (async () => {
    for (let attempt = 0; !state.closing; attempt++) {
      try {
        await jobs.start();
        // Each tenant's audit log down to its retention, daily (ADR 0059).
        // Its own failure is logged, not retried as the whole component's (the next start schedules it).
        await scheduleAuditRetention(jobs.boss, {
          platform: deps.platform,
          tenants: deps.tenants,
          logger: deps.logger,
          region: deps.region,
        }).catch((error: unknown) => deps.logger.error({ err: error }, 'audit retention could not be scheduled'));
        return true;
      } catch (error) {
        deps.logger.warn({ err: error }, 'jobs component could not start; retrying');
        await new Promise((resolve) => setTimeout(resolve, Math.min(1_000 * 2 ** attempt, 30_000)).unref());
      }
    }
    return false;
  })();
  const closeShared = deps.close.bind(deps);
  deps.close = async () => {
    state.closing = true;
    if (await started) await jobs.stop();
    await closeShared();
  };
  return jobs;
}

/** The origin a tenant's mail links to: its first own domain on the public scheme, else its base URL in its region. */
export function mailOriginOf(gateway: Pick<GatewayDeps, 'scheme' | 'regions'>): (tenant: TenantRecord) => string {
  return (tenant) => {
    const domain = tenant.domains[0];
    return domain ? `${gateway.scheme}://${domain}` : gateway.regions.baseUrlOf(tenant.slug, tenant.region);
  };
}

function brandingEditsOf(deps: ServiceDeps, settings: GatewaySettings): BrandingEdits {
  const overrides = new BrandingOverrides(deps.platform);
  return new BrandingEdits({
    overrides,
    records: new BrandingEditRecords(deps.tenants, overrides),
    registry: deps.registry,
    allowHttpLogos: settings.scheme === 'http',
  });
}

/** The voice-session use cases, or the 503 a deployment without LiveKit answers. */
export function voiceSessionsOf(gateway: GatewayDeps): VoiceSessions {
  if (!gateway.voiceSessions) throw new AppError('unavailable', 'Voice sessions are not configured in this deployment.');
  return gateway.voiceSessions;
}
