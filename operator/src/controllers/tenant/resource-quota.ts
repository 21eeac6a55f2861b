import type { PlanName } from '@mindbot/tenancy';
import type { KubeObject } from '../../runtime/kube-client.js';
import { cpu, memory, ownedMeta, type TenantContext } from './context.js';

/**
 * Per-container ceilings by plan; the quota multiplies them by the plan's agent replicas. An agent
 * worker is about 550 MB (PSS) idle with its local inference process, plus about 130 MB per call
 * (`npm run bench:agent`), so a starter pod holds about 7 calls, a business pod about 19.
 */
const PLAN_LIMITS: Record<PlanName, { cpuMillis: number; memoryMi: number }> = {
  starter: { cpuMillis: 1000, memoryMi: 1536 },
  business: { cpuMillis: 1000, memoryMi: 3072 },
  enterprise: { cpuMillis: 2000, memoryMi: 6144 },
};

/** What an agent pod asks for: the worker's idle footprint. */
export const AGENT_REQUESTS = { cpuMillis: 250, memoryMi: 768 } as const;

/** The memory ceiling of one agent container on `plan`. */
export function agentMemoryLimitMi(plan: PlanName): number {
  return PLAN_LIMITS[plan].memoryMi;
}

/** The namespace can hold at most the plan's agents (plus one rollout surge) and nothing else that costs. */
export function desiredResourceQuota(ctx: TenantContext): KubeObject {
  const { plan } = ctx.tenant.spec;
  const limits = PLAN_LIMITS[plan.name];
  const pods = plan.maxAgentReplicas + 1;
  return {
    apiVersion: 'v1',
    kind: 'ResourceQuota',
    metadata: ownedMeta(ctx, 'tenant-quota'),
    spec: {
      hard: {
        pods: String(pods),
        'requests.cpu': cpu(AGENT_REQUESTS.cpuMillis * pods),
        'requests.memory': memory(AGENT_REQUESTS.memoryMi * pods),
        'limits.cpu': cpu(limits.cpuMillis * pods),
        'limits.memory': memory(limits.memoryMi * pods),
        services: '2',
        'services.loadbalancers': '0',
        'services.nodeports': '0',
        persistentvolumeclaims: '0',
        configmaps: '10',
        secrets: '10',
      },
    },
  };
}

/** Defaults and ceilings for any container in the namespace. */
export function desiredLimitRange(ctx: TenantContext): KubeObject {
  const limits = PLAN_LIMITS[ctx.tenant.spec.plan.name];
  return {
    apiVersion: 'v1',
    kind: 'LimitRange',
    metadata: ownedMeta(ctx, 'tenant-limits'),
    spec: {
      limits: [
        {
          type: 'Container',
          default: { cpu: cpu(1000), memory: memory(512) },
          defaultRequest: { cpu: cpu(250), memory: memory(256) },
          max: { cpu: cpu(limits.cpuMillis), memory: memory(limits.memoryMi) },
        },
      ],
    },
  };
}
