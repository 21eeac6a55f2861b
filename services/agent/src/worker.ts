import { join } from 'node:path';
import { AgentServer, type JobRequest, ServerOptions, initializeLogger } from '@livekit/agents';
import type { Logger } from '@mindbot/logger';
import { agentNameOf, type AgentConfig } from './config.js';
import { checkDispatch } from './domain/dispatch.js';
import type { AgentMetrics } from './agent-metrics.js';

/**
 * The module each job process imports, beside the running code: job-entry.ts beside this file under
 * tsx; built, job-entry.js beside the worker's bundle (services/agent/dist/). `import.meta.filename`,
 * not `import.meta.url`: the build gives each bundled module its source's URL (scripts/build/bundle.ts).
 */
const JOB_ENTRY = join(import.meta.dirname, import.meta.filename.endsWith('.ts') ? 'job-entry.ts' : 'job-entry.js');

/**
 * The @livekit/agents worker: registers with LiveKit under this tenant's agent name (a dedicated
 * worker) or the region's shared pool name, and accepts only jobs whose dispatch it can vouch for.
 */
export function createWorker(config: AgentConfig, logger: Logger, metrics: AgentMetrics): AgentServer {
  initializeLogger({ pretty: false, level: config.LOG_LEVEL === 'silent' ? 'fatal' : config.LOG_LEVEL });
  const agentName = agentNameOf(config);
  return new AgentServer(
    new ServerOptions({
      agent: JOB_ENTRY,
      agentName,
      wsURL: config.LIVEKIT_URL,
      apiKey: config.LIVEKIT_API_KEY,
      apiSecret: config.LIVEKIT_API_SECRET,
      // Its own status server stays on loopback on a free port (/healthz and /readyz are ours); in
      // production mode it would take 8081 whatever is asked, and every other production default is set here.
      production: false,
      host: '127.0.0.1',
      port: 0,
      numIdleProcesses: config.AGENT_IDLE_PROCESSES,
      loadThreshold: config.AGENT_LOAD_THRESHOLD,
      // With AGENT_MAX_CALLS the load is the share of calls running (predictable per pod); otherwise the CPU.
      ...(config.AGENT_MAX_CALLS > 0
        ? { loadFunc: (server: AgentServer) => Promise.resolve(server.activeJobs.length / config.AGENT_MAX_CALLS) }
        : {}),
      drainTimeout: config.AGENT_DRAIN_SECONDS * 1000,
      // A job process loads the agent and its providers first; on a busy two-core node that takes longer than the 10 s default.
      initializeProcessTimeout: 60_000,
      requestFunc: async (request: JobRequest) => {
        const checked = checkDispatch(
          request.job.metadata,
          { name: request.room?.name, metadata: request.room?.metadata },
          config.AGENT_TENANT,
        );
        if (!checked.ok) {
          metrics.jobs.inc({ outcome: checked.refusal });
          logger.warn({ refusal: checked.refusal, room: request.room?.name, agentName }, 'job refused');
          await request.reject();
          return;
        }
        metrics.jobs.inc({ outcome: 'accepted' });
        await request.accept(checked.dispatch.persona.name, undefined, undefined, {
          'mindbot.tenant': checked.dispatch.tenant,
          'mindbot.persona': checked.dispatch.persona.id,
        });
      },
    }),
  );
}
