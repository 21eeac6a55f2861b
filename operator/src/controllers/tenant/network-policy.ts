import type { KubeObject } from '../../runtime/kube-client.js';
import { providerPorts } from './agent-providers.js';
import { redisPort } from './agent-redis.js';
import { agentSelector, ownedMeta, type TenantContext } from './context.js';

/** Nothing in or out of the tenant's namespace unless a policy below allows it. */
export function desiredDefaultDeny(ctx: TenantContext): KubeObject {
  return {
    apiVersion: 'networking.k8s.io/v1',
    kind: 'NetworkPolicy',
    metadata: ownedMeta(ctx, 'default-deny'),
    spec: { podSelector: {}, policyTypes: ['Ingress', 'Egress'] },
  };
}

/**
 * What the agent needs: DNS, billing (its only platform service), LiveKit (signalling and media), the
 * speech and language providers and, when it reports its readiness, Redis. Nothing calls the agent:
 * it dials out to LiveKit for its jobs.
 */
export function desiredAgentPolicy(ctx: TenantContext): KubeObject {
  const platform = { namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': ctx.config.platformNamespace } } };
  const app = (name: string) => ({ ...platform, podSelector: { matchLabels: { 'app.kubernetes.io/name': name } } });
  const providers = ctx.config.agentProviders;
  const redis = ctx.config.agentRedis;
  const redisAt = redisPort(ctx.redis);
  return {
    apiVersion: 'networking.k8s.io/v1',
    kind: 'NetworkPolicy',
    metadata: ownedMeta(ctx, 'agent-allow'),
    spec: {
      podSelector: { matchLabels: agentSelector(ctx.slug) },
      // Ingress with no rules: nothing may connect (the API server stores an empty list as absent, so none is stated).
      policyTypes: ['Ingress', 'Egress'],
      egress: [
        {
          to: [
            {
              namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'kube-system' } },
              podSelector: { matchLabels: { 'k8s-app': 'kube-dns' } },
            },
          ],
          ports: [
            { protocol: 'UDP', port: 53 },
            { protocol: 'TCP', port: 53 },
          ],
        },
        { to: [app('mindbot-billing')], ports: [{ protocol: 'TCP', port: 8080 }] },
        {
          to: [{ ipBlock: { cidr: ctx.config.livekitCidr } }],
          ports: [
            { protocol: 'TCP', port: 443 },
            { protocol: 'TCP', port: 7880 },
            { protocol: 'TCP', port: 7881 },
            { protocol: 'UDP', port: 3478 },
            { protocol: 'UDP', port: 50000, endPort: 60000 },
          ],
        },
        { to: [{ ipBlock: { cidr: providers.cidr } }], ports: providerPorts(providers).map((port) => ({ protocol: 'TCP', port })) },
        ...(redis !== undefined && redisAt !== undefined
          ? [{ to: [{ ipBlock: { cidr: redis.cidr } }], ports: [{ protocol: 'TCP', port: redisAt }] }]
          : []),
      ],
    },
  };
}
