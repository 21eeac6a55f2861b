import { randomBytes } from 'node:crypto';
import { parseTenantManifest, type Region, type TenantManifest } from '@mindbot/tenancy';

/** Tenant roles are cluster-wide in Postgres, so parallel test files need slugs of their own. */
export function uniqueSlug(base = 'tenant'): string {
  return `${base}-${randomBytes(4).toString('hex')}`;
}

export function testManifest(
  slug: string,
  overrides: { region?: Region; domains?: string[]; suspended?: boolean; parentReseller?: string; displayName?: string } = {},
): TenantManifest {
  return parseTenantManifest({
    apiVersion: 'platform.mindbot.ai/v1alpha1',
    kind: 'Tenant',
    metadata: { name: slug },
    spec: {
      displayName: overrides.displayName ?? `Test ${slug}`,
      region: overrides.region ?? 'eu-west',
      branding: {
        logoUrl: `https://${slug}.example/logo.svg`,
        primaryColor: '#112233',
        accentColor: '#445566',
        agentName: 'Tess',
        greeting: 'Hello from the test tenant.',
      },
      agent: { persona: 'A test agent.', voice: 'aurora' },
      domains: overrides.domains ?? [],
      plan: { name: 'starter' },
      billing: { currency: 'usd', platformFeePercent: 10 },
      suspended: overrides.suspended ?? false,
      ...(overrides.parentReseller ? { parentReseller: overrides.parentReseller } : {}),
    },
  });
}
