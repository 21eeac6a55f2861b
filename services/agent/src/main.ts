import { loadConfigOrExit } from '@mindbot/config';
import { createHttpApp, createLifecycle, startServer } from '@mindbot/http';
import { createLogger } from '@mindbot/logger';
import { createMetrics } from '@mindbot/metrics';
import { createRedis, reportAgentStatus, withdrawAgentStatus } from '@mindbot/redis';
import { createAgentMetrics } from './agent-metrics.js';
import { agentNameOf, loadAgentConfig } from './config.js';
import { missingProviders } from './providers/speech-providers.js';
import { createWorker } from './worker.js';

// Start-up only: config, the health/metrics server, the worker; on SIGTERM the worker drains
// (calls in progress finish, or end cleanly and settle, within AGENT_DRAIN_SECONDS) before exit.
const config = loadConfigOrExit('agent', loadAgentConfig);
const logger = createLogger({ name: 'agent', level: config.LOG_LEVEL, base: { region: config.MINDBOT_REGION } });
const metrics = createMetrics('agent');
const lifecycle = createLifecycle();
let workerId: string | undefined;
const worker = createWorker(
  config,
  logger,
  createAgentMetrics(metrics, () => worker.activeJobs.length),
);

const missing = missingProviders(config);
if (missing.length > 0) {
  logger.warn({ missing }, 'speech or language providers are not configured: set AGENT_LLM, AGENT_STT and AGENT_TTS (docs/agent-guide.md)');
}
const notConfigured = (variable: string) => () => Promise.reject(new Error(`${variable} is not configured`));
const app = createHttpApp({
  service: 'agent',
  logger,
  metrics,
  lifecycle,
  readiness: {
    livekit: () => (workerId !== undefined ? Promise.resolve() : Promise.reject(new Error('not registered with LiveKit'))),
    billing: async () => {
      const res = await fetch(new URL('/healthz', config.BILLING_URL), { signal: AbortSignal.timeout(1_500) });
      if (!res.ok) throw new Error(`billing answered ${res.status}`);
    },
    ...(missing.includes('llm') ? { llm: notConfigured('AGENT_LLM') } : {}),
    ...(missing.includes('stt') ? { stt: notConfigured('AGENT_STT') } : {}),
    ...(missing.includes('tts') ? { tts: notConfigured('AGENT_TTS') } : {}),
  },
  routes: () => undefined,
});
const health = await startServer(app, { port: config.PORT, host: config.HOST, logger, lifecycle, shutdownTimeoutMs: 2_000 });

const agentName = agentNameOf(config);
worker.event.on('worker_registered', (id: string) => {
  workerId = id;
  logger.info({ workerId: id, agentName, url: health.url }, 'worker registered with LiveKit');
});

// Every few seconds the worker tells Redis whether it can take calls; the gateway reads it before
// opening a room (VOICE_REQUIRE_AGENT). It can hold a conversation once registered with a language model.
const redis = config.REDIS_URL ? createRedis(config.REDIS_URL, logger) : undefined;
const report = async () => {
  if (!redis || workerId === undefined) return;
  const ready = !lifecycle.draining && !missing.includes('llm');
  await reportAgentStatus(redis, agentName, { workerId, ready, missing, activeJobs: worker.activeJobs.length }).catch((error: unknown) => {
    logger.debug({ err: error }, 'could not report the worker status');
  });
};
const reporting = setInterval(() => void report(), 5_000);
worker.event.on('worker_registered', () => void report());
const running = worker.run();

let stopping: Promise<void> | undefined;
const stop = (signal: string) => {
  stopping ??= (async () => {
    lifecycle.draining = true;
    clearInterval(reporting);
    if (redis && workerId !== undefined) await withdrawAgentStatus(redis, agentName, workerId).catch(() => undefined);
    logger.info({ signal, activeJobs: worker.activeJobs.length }, 'draining: no new calls; calls in progress finish');
    await worker
      .drain(config.AGENT_DRAIN_SECONDS * 1000)
      .catch((error: unknown) => logger.warn({ err: error }, 'drain timed out; ending the remaining calls'));
    await worker.close();
    await health.close();
    redis?.disconnect();
    logger.info('stopped');
    process.exit(0);
  })();
};
process.once('SIGTERM', () => stop('SIGTERM'));
process.once('SIGINT', () => stop('SIGINT'));

try {
  await running;
} catch (error) {
  logger.fatal({ err: error }, 'the worker could not keep a connection to LiveKit');
  process.exit(1);
}
