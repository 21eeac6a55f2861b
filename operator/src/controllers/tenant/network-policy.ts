import type { KubeObject } from '../../runtime/kube-client.js';
import { AGENT_PORT, agentSelector, ownedMeta, type TenantContext } from './context.js';

/** Nothing in or out of the tenant's namespace unless a policy below allows it. */
export function desiredDefaultDeny(ctx: TenantContext): KubeObject {
  return {
    apiVersion: 'networking.k8s.io/v1',
    kind: 'NetworkPolicy',
    metadata: ownedMeta(ctx, 'default-deny'),
    spec: { podSelector: {}, policyTypes: ['Ingress', 'Egress'] },
  };
}

/** What the agent needs: DNS, the gateway and billing services, LiveKit (signalling and media). */
export function desiredAgentPolicy(ctx: TenantContext): KubeObject {
  const platform = { namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': ctx.config.platformNamespace } } };
  const app = (name: string) => ({ ...platform, podSelector: { matchLabels: { 'app.kubernetes.io/name': name } } });
  return {
    apiVersion: 'networking.k8s.io/v1',
    kind: 'NetworkPolicy',
    metadata: ownedMeta(ctx, 'agent-allow'),
    spec: {
      podSelector: { matchLabels: agentSelector(ctx.slug) },
      policyTypes: ['Ingress', 'Egress'],
      ingress: [{ from: [app('mindbot-gateway')], ports: [{ protocol: 'TCP', port: AGENT_PORT }] }],
      egress: [
        {
          to: [{ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'kube-system' } }, podSelector: { matchLabels: { 'k8s-app': 'kube-dns' } } }],
          ports: [
            { protocol: 'UDP', port: 53 },
            { protocol: 'TCP', port: 53 },
          ],
        },
        { to: [app('mindbot-gateway'), app('mindbot-billing')], ports: [{ protocol: 'TCP', port: 8080 }] },
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
      ],
    },
  };
}
