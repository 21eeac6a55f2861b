import { loadConfigOrExit } from '@mindbot/config';
import { startServer } from '@mindbot/http';
import { createApp } from './app.js';
import { loadAgentConfig } from './config.js';
import { buildAgentDeps } from './deps.js';

// Start-up only: config, the health/metrics server, the worker; on SIGTERM the worker drains
// (calls in progress finish, or end cleanly and settle, within AGENT_DRAIN_SECONDS) before exit.
const config = loadConfigOrExit('agent', loadAgentConfig);
const deps = buildAgentDeps(config);
const { logger, worker, status, lifecycle } = deps;

if (deps.missing.length > 0) {
  logger.warn(
    { missing: deps.missing },
    'speech or language providers are not configured: set AGENT_LLM, AGENT_STT and AGENT_TTS (docs/agent-guide.md)',
  );
}
const health = await startServer(createApp(deps), { port: config.PORT, host: config.HOST, logger, lifecycle, shutdownTimeoutMs: 2_000 });

worker.event.on('worker_registered', (id: string) => {
  status.registered(id);
  logger.info({ workerId: id, agentName: deps.agentName, url: health.url }, 'worker registered with LiveKit');
  void status.report();
});
// Every few seconds, so the gateway's view expires when this worker dies without withdrawing.
const reporting = setInterval(() => void status.report(), 5_000);
const running = worker.run();

let stopping: Promise<void> | undefined;
const stop = (signal: string) => {
  stopping ??= (async () => {
    lifecycle.draining = true;
    clearInterval(reporting);
    await status.withdraw();
    logger.info({ signal, activeJobs: worker.activeJobs.length }, 'draining: no new calls; calls in progress finish');
    await worker
      .drain(config.AGENT_DRAIN_SECONDS * 1000)
      .catch((error: unknown) => logger.warn({ err: error }, 'drain timed out; ending the remaining calls'));
    await worker.close();
    await health.close();
    deps.redis?.disconnect();
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
