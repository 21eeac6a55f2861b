import type { Logger } from '@mindbot/logger';
import { reportAgentStatus, withdrawAgentStatus, type Redis } from '@mindbot/redis';

/**
 * What this worker tells the gateway, through Redis, about whether it can take calls: the gateway
 * reads it before opening a room (VOICE_REQUIRE_AGENT). The worker can hold a conversation once it
 * is registered with LiveKit and has a language model, and until it starts draining.
 */
export class WorkerStatus {
  private workerId: string | undefined;

  constructor(
    private readonly options: {
      redis: Redis | undefined;
      agentName: string;
      missing: readonly string[];
      logger: Logger;
      draining: () => boolean;
      activeJobs: () => number;
    },
  ) {}

  get registeredAs(): string | undefined {
    return this.workerId;
  }

  registered(workerId: string): void {
    this.workerId = workerId;
  }

  async report(): Promise<void> {
    const { redis, agentName, missing, logger } = this.options;
    if (!redis || this.workerId === undefined) return;
    const ready = !this.options.draining() && !missing.includes('llm');
    await reportAgentStatus(redis, agentName, {
      workerId: this.workerId,
      ready,
      missing: [...missing],
      activeJobs: this.options.activeJobs(),
    }).catch((error: unknown) => logger.debug({ err: error }, 'could not report the worker status'));
  }

  async withdraw(): Promise<void> {
    if (!this.options.redis || this.workerId === undefined) return;
    await withdrawAgentStatus(this.options.redis, this.options.agentName, this.workerId).catch(() => undefined);
  }
}
