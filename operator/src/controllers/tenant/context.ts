import type { Tenant, OwnerReference } from '../../api/v1alpha1/tenant-types.js';
import { API_VERSION, KIND } from '../../api/v1alpha1/tenant-types.js';
import type { AgentProviders } from './agent-providers.js';
import type { AgentRedis } from './agent-redis.js';

export const TENANT_LABEL = 'platform.mindbot.ai/tenant';
export const MANAGED_BY = 'mindbot-operator';
export const MANAGED_BY_SELECTOR = `app.kubernetes.io/managed-by=${MANAGED_BY}`;
export const AGENT_NAME = 'agent';
/** The worker's /healthz, /readyz and /metrics (its PORT). */
export const AGENT_PORT = 8081;
/** What the platform image runs for the voice agent worker (docker/entrypoint.sh). */
export const AGENT_COMMAND = 'agent';
/** The pod's grace period beyond the worker's drain: time to end the last calls cleanly and settle them. */
export const AGENT_GRACE_MARGIN_SECONDS = 30;

/** What the operator's deployment decides, not the tenant: image, providers, the platform's own addresses. */
export interface WorkloadConfig {
  /** The region this operator serves. */
  region: string;
  /** An image whose entry point runs the worker with the `agent` command (the platform image). */
  agentImage: string;
  /** How long a dedicated agent lets calls run on after SIGTERM (AGENT_DRAIN_SECONDS). */
  agentDrainSeconds: number;
  /** Speech and language providers, and the Secret with their keys. */
  agentProviders: AgentProviders;
  /** Where agents report whether they can take calls; undefined: they report nothing. */
  agentRedis?: AgentRedis | undefined;
  /** Namespace of the platform services (gateway, billing), for the NetworkPolicy allows. */
  platformNamespace: string;
  /** The LiveKit credentials Secret used when a Tenant names none. */
  defaultLivekitSecret: { namespace: string; name: string };
  /** Where the agent may reach LiveKit (and its media ports). */
  livekitCidr: string;
  /** Billing's in-cluster URL: the agent's only platform service (it calls each job's routes with that job's credential). */
  billingUrl: string;
}

/** Everything one tenant's desired objects are computed from. */
export interface TenantContext {
  tenant: Tenant;
  slug: string;
  namespace: string;
  config: WorkloadConfig;
  /** The LiveKit credentials, copied into the tenant's namespace. */
  livekit: Record<string, string>;
  /** The provider keys the referenced Secret holds (Secret data, by variable name), copied likewise. */
  providerKeys: Record<string, string>;
  /** REDIS_URL (Secret data) of the agent Redis Secret, copied likewise; empty when none is named. */
  redis: Record<string, string>;
}

/** A tenant whose plan says `agentPool: shared` is served by the region's shared pool: it gets no agent of its own. */
export const hasDedicatedAgent = (tenant: Tenant): boolean => tenant.spec.plan.agentPool !== 'shared';

export const namespaceOf = (slug: string): string => `tenant-${slug}`;

export function tenantLabels(slug: string): Record<string, string> {
  return {
    'app.kubernetes.io/name': 'mindbot-agent',
    'app.kubernetes.io/instance': slug,
    'app.kubernetes.io/part-of': 'mindbot',
    'app.kubernetes.io/managed-by': MANAGED_BY,
    [TENANT_LABEL]: slug,
  };
}

/** Pods of the agent: a stable subset of the labels, since a Deployment's selector is immutable. */
export function agentSelector(slug: string): Record<string, string> {
  return { 'app.kubernetes.io/name': 'mindbot-agent', [TENANT_LABEL]: slug };
}

export function ownerReference(tenant: Tenant): OwnerReference {
  return {
    apiVersion: API_VERSION,
    kind: KIND,
    name: tenant.metadata.name,
    uid: tenant.metadata.uid,
    controller: true,
    blockOwnerDeletion: true,
  };
}

/** Metadata of an owned object: name, namespace, tenant labels, the Tenant as controller owner. */
export function ownedMeta(ctx: TenantContext, name: string, options: { namespaced?: boolean; labels?: Record<string, string> } = {}) {
  return {
    name,
    ...(options.namespaced === false ? {} : { namespace: ctx.namespace }),
    labels: { ...tenantLabels(ctx.slug), ...options.labels },
    ownerReferences: [ownerReference(ctx.tenant)],
  };
}

/** CPU in the canonical form the API server stores it in (`1`, `250m`), so comparisons hold. */
export function cpu(millis: number): string {
  return millis % 1000 === 0 ? String(millis / 1000) : `${millis}m`;
}

/** Memory in canonical form (`1Gi`, `768Mi`). */
export function memory(mebibytes: number): string {
  return mebibytes % 1024 === 0 ? `${mebibytes / 1024}Gi` : `${mebibytes}Mi`;
}
