import { createPlatformClient, createPool, TenantClients, type PlatformClient, type Pool } from '@mindbot/db';
import { createLifecycle, type Lifecycle, type ReadinessChecks } from '@mindbot/http';
import type { Logger } from '@mindbot/logger';
import { createMetrics, type Metrics } from '@mindbot/metrics';
import { createRedis, pingRedis, RevokedSessionList, type Redis } from '@mindbot/redis';
import { PgListener, TenantRegistry } from '@mindbot/tenant-registry';

/** What every service's createApp receives: built once in main.ts (or by a test). */
export interface ServiceDeps {
  service: string;
  region: string;
  logger: Logger;
  metrics: Metrics;
  lifecycle: Lifecycle;
  pool: Pool;
  platform: PlatformClient;
  tenants: TenantClients;
  /** Absent in single-node mode. */
  redis: Redis | undefined;
  /**
   * Sessions whose access tokens are refused (SSO publishes them in Redis; this process's copy is in
   * memory): give it to every token verifier. Single-node: only what this process adds itself.
   */
  revokedSessions: RevokedSessionList;
  /** The tenant registry, cached in process and kept current by Postgres notifications: every service's one reader. */
  registry: TenantRegistry;
  /** The process's one LISTEN connection (the registry's invalidations; a service may listen on channels of its own). */
  notifications: PgListener;
  readiness: ReadinessChecks;
  bodyLimit: string;
  trustProxy: boolean | number | string;
  /** Closes everything, in reverse order of creation. */
  close(): Promise<void>;
}

export function buildServiceDeps(options: {
  service: string;
  region: string;
  logger: Logger;
  databaseUrl: string;
  redisUrl?: string | undefined;
  poolMax?: number;
  bodyLimit?: string;
  trustProxy?: boolean | number | string;
  /** Safety net of registry cache entries (REGISTRY_CACHE_TTL_MS). */
  registryTtlMs?: number;
}): ServiceDeps {
  const pool = createPool(options.databaseUrl, { max: options.poolMax ?? 10, applicationName: `mindbot-${options.service}` });
  const platform = createPlatformClient(pool);
  const tenants = new TenantClients(pool, undefined, (error) =>
    options.logger.warn({ err: error }, 'could not send notifications after commit; their listeners sweep'),
  );
  const redis = options.redisUrl ? createRedis(options.redisUrl, options.logger) : undefined;
  if (!redis) options.logger.warn('REDIS_URL is not set: running single-node (limits and caches are per process)');
  const revokedSessions = new RevokedSessionList(redis, options.logger);
  const notifications = new PgListener(options.databaseUrl, options.logger, `mindbot-${options.service}-listener`);
  const registry = new TenantRegistry(platform, notifications, {
    region: options.region,
    ...(options.registryTtlMs === undefined ? {} : { ttlMs: options.registryTtlMs }),
  });
  // Connects in the background and keeps retrying by itself; registry.ready() settles after the first attempt.
  void notifications.start();
  const readiness: ReadinessChecks = {
    postgres: async () => {
      await pool.query('SELECT 1');
    },
    ...(redis ? { redis: () => pingRedis(redis) } : {}),
  };
  return {
    service: options.service,
    region: options.region,
    logger: options.logger,
    metrics: createMetrics(options.service),
    lifecycle: createLifecycle(),
    pool,
    platform,
    tenants,
    redis,
    revokedSessions,
    registry,
    notifications,
    readiness,
    bodyLimit: options.bodyLimit ?? '100kb',
    trustProxy: options.trustProxy ?? false,
    async close() {
      await notifications.close();
      await tenants.commitNotifications.drained();
      revokedSessions.close();
      redis?.disconnect();
      await tenants.close();
      await platform.$disconnect();
      await pool.end();
    },
  };
}
