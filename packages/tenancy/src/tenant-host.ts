import { REGIONS } from './tenant-manifest.js';

/**
 * The tenant slug a platform host names: `<slug>.<base domain>` or `<slug>.<region>.<base domain>`.
 * Undefined for any other host (a tenant's own domain is looked up in the registry instead). One
 * rule for every service, so a tenant reachable at the gateway is reachable at the services behind it.
 */
export function slugOfPlatformHost(host: string, baseDomain: string): string | undefined {
  const suffix = `.${baseDomain}`;
  if (!host.endsWith(suffix)) return undefined;
  const labels = host.slice(0, -suffix.length).split('.');
  const [slug, region] = labels;
  if (labels.length === 1) return slug;
  if (labels.length === 2 && (REGIONS as readonly string[]).includes(region ?? '')) return slug;
  return undefined;
}

/** Every host a tenant is served at: its platform hosts (`<slug>.<base>`, `<slug>.<region>.<base>`) and its own domains. */
export function hostsOfTenant(tenant: { slug: string; region: string; domains: readonly string[] }, baseDomain: string): string[] {
  return [
    `${tenant.slug}.${baseDomain}`,
    `${tenant.slug}.${tenant.region}.${baseDomain}`,
    ...tenant.domains.map((domain) => domain.toLowerCase()),
  ];
}
