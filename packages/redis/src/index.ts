export { createRedis, pingRedis, type Redis } from './create-redis.js';
export { tenantKey, tenantKeyPrefix } from './tenant-key.js';
export { redisAnswers } from './probe-redis.js';
export {
  publishRevokedSessions,
  RevokedSessionList,
  REVOKED_SESSIONS_CHANNEL,
  REVOKED_SESSIONS_KEY,
  type RevokedSessionListOptions,
  type SessionRevocation,
} from './revoked-sessions.js';
export { agentStatuses, reportAgentStatus, withdrawAgentStatus, AGENT_STATUS_TTL_SECONDS, type AgentWorkerStatus } from './agent-status.js';
