import type { Logger } from '@mindbot/logger';
import { agentStatuses, type Redis } from '@mindbot/redis';

export type AgentAvailabilityAnswer = { ok: true } | { ok: false; reason: 'no_worker' | 'not_configured'; missing: string[] };

const CACHE_MS = 2_000;

/**
 * Whether a worker could answer a call under an agent name, from the workers' own reports in Redis
 * (`reportAgentStatus`): a session is refused with a clear 503 rather than opening a room nobody
 * joins. Answers are cached for two seconds per name. When Redis cannot be read, calls are let
 * through: a Redis outage must not become a voice outage.
 */
export class AgentAvailability {
  private readonly cache = new Map<string, { answer: AgentAvailabilityAnswer; until: number }>();

  constructor(
    private readonly redis: Redis,
    private readonly logger: Logger,
  ) {}

  async check(agentName: string): Promise<AgentAvailabilityAnswer> {
    const hit = this.cache.get(agentName);
    if (hit && hit.until > Date.now()) return hit.answer;
    let answer: AgentAvailabilityAnswer;
    try {
      const workers = await agentStatuses(this.redis, agentName);
      if (workers.some((w) => w.ready)) answer = { ok: true };
      else if (workers.length === 0) answer = { ok: false, reason: 'no_worker', missing: [] };
      else answer = { ok: false, reason: 'not_configured', missing: [...new Set(workers.flatMap((w) => w.missing))].sort() };
    } catch (error) {
      this.logger.warn({ err: error, agentName }, 'agent availability unknown (redis unreachable): letting the session start');
      return { ok: true };
    }
    if (this.cache.size > 10_000) this.cache.clear();
    this.cache.set(agentName, { answer, until: Date.now() + CACHE_MS });
    return answer;
  }
}
