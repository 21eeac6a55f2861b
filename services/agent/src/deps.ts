import type { AgentServer } from '@livekit/agents';
import { createLifecycle, type Lifecycle } from '@mindbot/http';
import { createLogger, type Logger } from '@mindbot/logger';
import { createMetrics, type Metrics } from '@mindbot/metrics';
import { createRedis, type Redis } from '@mindbot/redis';
import { createAgentMetrics } from './agent-metrics.js';
import { agentNameOf, type AgentConfig } from './config.js';
import { WorkerStatus } from './domain/worker-status.js';
import { missingProviders } from './providers/speech-providers.js';
import { createWorker } from './worker.js';

/** The composition root of the agent worker: everything main.ts starts and stops. */
export interface AgentDeps {
  config: AgentConfig;
  logger: Logger;
  metrics: Metrics;
  lifecycle: Lifecycle;
  agentName: string;
  /** Providers left unconfigured (llm, stt, tts): readiness names them. */
  missing: readonly string[];
  worker: AgentServer;
  redis: Redis | undefined;
  status: WorkerStatus;
}

export function buildAgentDeps(config: AgentConfig): AgentDeps {
  const logger = createLogger({ name: 'agent', level: config.LOG_LEVEL, base: { region: config.MINDBOT_REGION } });
  const metrics = createMetrics('agent');
  const lifecycle = createLifecycle();
  const worker: AgentServer = createWorker(
    config,
    logger,
    createAgentMetrics(metrics, () => worker.activeJobs.length),
  );
  const missing = missingProviders(config);
  const redis = config.REDIS_URL ? createRedis(config.REDIS_URL, logger) : undefined;
  const agentName = agentNameOf(config);
  const status = new WorkerStatus({
    redis,
    agentName,
    missing,
    logger,
    draining: () => lifecycle.draining,
    activeJobs: () => worker.activeJobs.length,
  });
  return { config, logger, metrics, lifecycle, agentName, missing, worker, redis, status };
}
