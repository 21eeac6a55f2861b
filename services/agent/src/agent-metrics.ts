import { Counter, Gauge } from 'prom-client';
import type { Metrics } from '@mindbot/metrics';

export interface AgentMetrics {
  jobs: Counter<'outcome'>;
}

/** The worker's own series beside the shared process metrics: jobs by outcome and calls running. */
export function createAgentMetrics(metrics: Metrics, activeJobs: () => number): AgentMetrics {
  new Gauge({
    name: 'agent_active_jobs',
    help: 'Calls this worker is running now.',
    registers: [metrics.registry],
    collect() {
      this.set(activeJobs());
    },
  });
  return {
    jobs: new Counter({
      name: 'agent_jobs_total',
      help: 'Jobs LiveKit offered this worker, by outcome (accepted, or why refused).',
      labelNames: ['outcome'],
      registers: [metrics.registry],
    }),
  };
}
