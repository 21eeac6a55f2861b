import { hashOf } from '../../runtime/apply.js';
import type { KubeObject } from '../../runtime/kube-client.js';
import { providerKeysEnv, providerSettingsEnv } from './agent-providers.js';
import { redisEnv } from './agent-redis.js';
import {
  AGENT_COMMAND,
  AGENT_GRACE_MARGIN_SECONDS,
  AGENT_NAME,
  AGENT_PORT,
  agentSelector,
  cpu,
  memory,
  ownedMeta,
  tenantLabels,
  type TenantContext,
} from './context.js';
import { AGENT_REQUESTS, agentMemoryLimitMi } from './resource-quota.js';
import { LIVEKIT_KEYS, LIVEKIT_SECRET } from './livekit-secret.js';

/**
 * The tenant's dedicated voice agent: the platform image's `agent` worker (services/agent),
 * registered with LiveKit as `tenant-<slug>`, so it only ever receives this tenant's calls.
 * Replicas belong to the HPA, except for a suspended tenant, which runs none. Non-root, read-only
 * root filesystem, no privilege escalation, no capabilities.
 */
export function desiredDeployment(ctx: TenantContext): KubeObject {
  const { spec } = ctx.tenant;
  const { agentDrainSeconds, agentProviders } = ctx.config;
  // What services/agent/src/config.ts reads, and nothing else.
  const env = [
    { name: 'NODE_ENV', value: 'production' },
    { name: 'MINDBOT_REGION', value: spec.region },
    // The worker's own default is loopback, which the kubelet's probes cannot reach.
    { name: 'HOST', value: '0.0.0.0' },
    { name: 'PORT', value: String(AGENT_PORT) },
    { name: 'AGENT_TENANT', value: ctx.slug },
    { name: 'BILLING_URL', value: ctx.config.billingUrl },
    { name: 'AGENT_DRAIN_SECONDS', value: String(agentDrainSeconds) },
    ...LIVEKIT_KEYS.map((key) => ({ name: key, valueFrom: { secretKeyRef: { name: LIVEKIT_SECRET, key } } })),
    ...providerSettingsEnv(agentProviders),
    ...providerKeysEnv(ctx),
    ...redisEnv(ctx),
  ];
  const httpProbe = (path: string) => ({ httpGet: { path, port: 'http', scheme: 'HTTP' } });
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: ownedMeta(ctx, AGENT_NAME),
    spec: {
      ...(spec.suspended ? { replicas: 0 } : {}),
      selector: { matchLabels: agentSelector(ctx.slug) },
      // One pod at a time, without waiting for the new one to be ready: a worker that lacks a provider
      // reports it on /readyz and never becomes ready, which must not freeze every later rollout. The
      // old pod keeps its calls while it drains (terminationGracePeriodSeconds below).
      strategy: { type: 'RollingUpdate', rollingUpdate: { maxUnavailable: 1, maxSurge: 1 } },
      template: {
        metadata: {
          labels: tenantLabels(ctx.slug),
          // Env from a Secret is read only at start: rotated LiveKit credentials, provider keys or Redis URL roll the agents.
          // (Personas and branding are loaded per call from the platform, so changing them rolls nothing.)
          annotations: {
            'platform.mindbot.ai/livekit-hash': hashOf(ctx.livekit),
            'platform.mindbot.ai/providers-hash': hashOf(ctx.providerKeys),
            'platform.mindbot.ai/redis-hash': hashOf(ctx.redis),
          },
        },
        spec: {
          serviceAccountName: AGENT_NAME,
          automountServiceAccountToken: false,
          enableServiceLinks: false,
          // SIGTERM stops new calls; calls in progress run on for up to AGENT_DRAIN_SECONDS, then are ended and settled.
          terminationGracePeriodSeconds: agentDrainSeconds + AGENT_GRACE_MARGIN_SECONDS,
          securityContext: {
            runAsNonRoot: true,
            runAsUser: 10001,
            runAsGroup: 10001,
            fsGroup: 10001,
            seccompProfile: { type: 'RuntimeDefault' },
          },
          containers: [
            {
              name: AGENT_NAME,
              image: ctx.config.agentImage,
              imagePullPolicy: 'IfNotPresent',
              args: [AGENT_COMMAND],
              ports: [{ name: 'http', containerPort: AGENT_PORT, protocol: 'TCP' }],
              env,
              // The worker warms its idle job processes before it is healthy: a few seconds on a small CPU.
              startupProbe: { ...httpProbe('/healthz'), periodSeconds: 2, failureThreshold: 60 },
              readinessProbe: { ...httpProbe('/readyz'), periodSeconds: 10 },
              livenessProbe: { ...httpProbe('/healthz'), periodSeconds: 20 },
              // The worker's idle footprint, and the plan's ceiling for the calls on top (resource-quota.ts).
              resources: {
                requests: { cpu: cpu(AGENT_REQUESTS.cpuMillis), memory: memory(AGENT_REQUESTS.memoryMi) },
                limits: { cpu: cpu(1000), memory: memory(agentMemoryLimitMi(spec.plan.name)) },
              },
              securityContext: {
                allowPrivilegeEscalation: false,
                readOnlyRootFilesystem: true,
                runAsNonRoot: true,
                capabilities: { drop: ['ALL'] },
              },
              // A writable temp directory on a read-only root filesystem (Node and its libraries write temporary files).
              volumeMounts: [{ name: 'tmp', mountPath: '/tmp' }],
            },
          ],
          volumes: [{ name: 'tmp', emptyDir: { sizeLimit: memory(64) } }],
        },
      },
    },
  };
}
