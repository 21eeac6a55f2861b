import type { Express } from 'express';
import { loadConfigOrExit } from '@mindbot/config';
import { closeOnSignals, startServer } from '@mindbot/http';
import { createLogger } from '@mindbot/logger';
import { setupTracing } from '@mindbot/tracing';
import type { ServiceConfig } from './service-config.js';
import { buildServiceDeps, type ServiceDeps } from './service-deps.js';

/**
 * The whole of a service's start-up: config, tracing, dependencies, app, listen, and a drain on
 * SIGTERM/SIGINT. A bad environment stops the process with a message naming the variable.
 */
export async function runService<C extends ServiceConfig>(options: {
  service: string;
  loadConfig: () => C;
  createApp: (deps: ServiceDeps, config: C) => Express;
}): Promise<void> {
  const config = loadConfigOrExit(options.service, options.loadConfig);
  const logger = createLogger({ name: options.service, level: config.LOG_LEVEL, base: { region: config.MINDBOT_REGION } });
  const stopTracing = setupTracing({
    service: options.service,
    exporter: config.OTEL_TRACES_EXPORTER,
    otlpEndpoint: config.OTEL_EXPORTER_OTLP_ENDPOINT,
  });
  const deps = buildServiceDeps({
    service: options.service,
    region: config.MINDBOT_REGION,
    logger,
    databaseUrl: config.DATABASE_URL,
    redisUrl: config.REDIS_URL,
    poolMax: config.DATABASE_POOL_MAX,
    bodyLimit: config.BODY_LIMIT,
    trustProxy: config.TRUST_PROXY,
    registryTtlMs: config.REGISTRY_CACHE_TTL_MS,
  });
  const app = options.createApp(deps, config);
  const running = await startServer(app, {
    port: config.PORT,
    host: config.HOST,
    logger,
    lifecycle: deps.lifecycle,
    shutdownTimeoutMs: config.SHUTDOWN_TIMEOUT_MS,
    onClosed: [() => deps.close(), stopTracing],
  });
  logger.info({ url: running.url }, 'listening');
  closeOnSignals(running, logger);
}
