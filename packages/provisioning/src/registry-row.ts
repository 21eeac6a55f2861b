import { schemaNameOf, specHash, type TenantManifest } from '@mindbot/tenancy';

/** The registry columns derived from a manifest; the registry never holds anything the manifest does not say. */
export function registryRowOf(manifest: TenantManifest, home: boolean) {
  const { spec } = manifest;
  return {
    slug: manifest.metadata.name,
    // Left out of the manifest, the name is the console's or the slug (ADR 0055); the reader tells them apart by `manifest`.
    displayName: spec.displayName ?? manifest.metadata.name,
    region: spec.region,
    status: spec.suspended ? 'suspended' : 'active',
    home,
    schemaName: home ? schemaNameOf(manifest.metadata.name) : null,
    branding: spec.branding,
    agent: spec.agent,
    plan: spec.plan.name,
    limits: {
      requestsPerMinute: spec.plan.requestsPerMinute,
      concurrentSessions: spec.plan.concurrentSessions,
      maxAgentReplicas: spec.plan.maxAgentReplicas,
      agentPool: spec.plan.agentPool,
    },
    billing: spec.billing,
    sso: spec.sso,
    parentSlug: spec.parentReseller ?? null,
    suspended: spec.suspended,
    specHash: specHash(spec),
    manifest: { apiVersion: manifest.apiVersion, kind: manifest.kind, metadata: { name: manifest.metadata.name }, spec },
  };
}
