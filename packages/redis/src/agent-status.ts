import type { Redis } from 'ioredis';

/** What a worker says of itself, refreshed every few seconds while it runs. */
export interface AgentWorkerStatus {
  workerId: string;
  /** Registered with LiveKit and able to hold a conversation. */
  ready: boolean;
  /** Providers this deployment lacks (`llm`, `stt`, `tts`). */
  missing: string[];
  activeJobs: number;
}

/** A status older than this is a worker that stopped reporting (crashed, drained, partitioned). */
export const AGENT_STATUS_TTL_SECONDS = 15;

const keyOf = (agentName: string) => `agents:{${agentName}}:workers`;

/**
 * The workers registered under an agent name, as they report themselves: the gateway refuses a
 * voice session with a clear 503 when no worker could answer it, instead of leaving the user in an
 * empty room. A hash per agent name, one field per worker with its report time, so stale workers
 * drop out without any cleanup job.
 */
export async function reportAgentStatus(redis: Redis, agentName: string, status: AgentWorkerStatus, now = Date.now()): Promise<void> {
  const key = keyOf(agentName);
  await redis
    .multi()
    .hset(key, status.workerId, JSON.stringify({ ...status, at: now }))
    .expire(key, AGENT_STATUS_TTL_SECONDS * 4)
    .exec();
}

export async function withdrawAgentStatus(redis: Redis, agentName: string, workerId: string): Promise<void> {
  await redis.hdel(keyOf(agentName), workerId);
}

/** The fresh reports of an agent name's workers (stale ones are removed as they are read). */
export async function agentStatuses(redis: Redis, agentName: string, now = Date.now()): Promise<AgentWorkerStatus[]> {
  const key = keyOf(agentName);
  const all = await redis.hgetall(key);
  const fresh: AgentWorkerStatus[] = [];
  const stale: string[] = [];
  for (const [workerId, text] of Object.entries(all)) {
    const parsed = parseStatus(text);
    if (parsed && now - parsed.at <= AGENT_STATUS_TTL_SECONDS * 1000) fresh.push(parsed.status);
    else stale.push(workerId);
  }
  if (stale.length > 0) await redis.hdel(key, ...stale);
  return fresh;
}

function parseStatus(text: string): { status: AgentWorkerStatus; at: number } | undefined {
  try {
    const value = JSON.parse(text) as Partial<AgentWorkerStatus> & { at?: unknown };
    if (typeof value.workerId !== 'string' || typeof value.ready !== 'boolean' || typeof value.at !== 'number') return undefined;
    return {
      status: {
        workerId: value.workerId,
        ready: value.ready,
        missing: Array.isArray(value.missing) ? value.missing.filter((m): m is string => typeof m === 'string') : [],
        activeJobs: typeof value.activeJobs === 'number' ? value.activeJobs : 0,
      },
      at: value.at,
    };
  } catch {
    return undefined;
  }
}
