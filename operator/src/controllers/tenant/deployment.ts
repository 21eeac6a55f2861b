import { hashOf } from '../../runtime/apply.js';
import type { KubeObject } from '../../runtime/kube-client.js';
import { desiredBrandingConfigMap, BRANDING_CONFIG_MAP } from './config-map.js';
import { AGENT_NAME, AGENT_PORT, agentSelector, cpu, memory, ownedMeta, tenantLabels, type TenantContext } from './context.js';
import { LIVEKIT_KEYS, LIVEKIT_SECRET } from './livekit-secret.js';

/**
 * The tenant's voice agent. Replicas belong to the HPA, except for a suspended tenant, which runs
 * none. Non-root, read-only root filesystem, no privilege escalation, no capabilities.
 */
export function desiredDeployment(ctx: TenantContext): KubeObject {
  const { spec } = ctx.tenant;
  const env = [
    { name: 'MINDBOT_TENANT', value: ctx.slug },
    { name: 'MINDBOT_REGION', value: spec.region },
    { name: 'AGENT_VOICE', value: spec.agent.voice },
    { name: 'AGENT_LANGUAGE', value: spec.agent.language },
    { name: 'AGENT_CONFIG_DIR', value: '/etc/mindbot/tenant' },
    { name: 'GATEWAY_URL', value: ctx.config.gatewayUrl },
    { name: 'BILLING_URL', value: ctx.config.billingUrl },
    { name: 'PORT', value: String(AGENT_PORT) },
    ...LIVEKIT_KEYS.map((key) => ({ name: key, valueFrom: { secretKeyRef: { name: LIVEKIT_SECRET, key } } })),
  ];
  const httpProbe = (path: string) => ({ httpGet: { path, port: 'http', scheme: 'HTTP' } });
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: ownedMeta(ctx, AGENT_NAME),
    spec: {
      ...(spec.suspended ? { replicas: 0 } : {}),
      selector: { matchLabels: agentSelector(ctx.slug) },
      template: {
        metadata: {
          labels: tenantLabels(ctx.slug),
          // A changed persona or branding, or rotated LiveKit credentials (env from a Secret is read only at start), roll the agents.
          annotations: {
            'platform.mindbot.ai/config-hash': hashOf(desiredBrandingConfigMap(ctx).data),
            'platform.mindbot.ai/livekit-hash': hashOf(ctx.livekit),
          },
        },
        spec: {
          serviceAccountName: AGENT_NAME,
          automountServiceAccountToken: false,
          enableServiceLinks: false,
          securityContext: { runAsNonRoot: true, runAsUser: 10001, runAsGroup: 10001, fsGroup: 10001, seccompProfile: { type: 'RuntimeDefault' } },
          containers: [
            {
              name: AGENT_NAME,
              image: ctx.config.agentImage,
              imagePullPolicy: 'IfNotPresent',
              ports: [{ name: 'http', containerPort: AGENT_PORT, protocol: 'TCP' }],
              env,
              readinessProbe: { ...httpProbe('/readyz'), periodSeconds: 10 },
              livenessProbe: { ...httpProbe('/healthz'), periodSeconds: 20, initialDelaySeconds: 10 },
              resources: { requests: { cpu: cpu(250), memory: memory(256) }, limits: { cpu: cpu(1000), memory: memory(512) } },
              securityContext: {
                allowPrivilegeEscalation: false,
                readOnlyRootFilesystem: true,
                runAsNonRoot: true,
                capabilities: { drop: ['ALL'] },
              },
              volumeMounts: [
                { name: 'tenant-config', mountPath: '/etc/mindbot/tenant', readOnly: true },
                { name: 'tmp', mountPath: '/tmp' },
              ],
            },
          ],
          volumes: [
            { name: 'tenant-config', configMap: { name: BRANDING_CONFIG_MAP } },
            { name: 'tmp', emptyDir: { sizeLimit: memory(64) } },
          ],
        },
      },
    },
  };
}
