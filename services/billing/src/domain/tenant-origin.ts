import { hostsOfTenant } from '@mindbot/tenancy';

/**
 * A tenant's base URL at its platform host (`<slug>.<base domain>`, the first of hostsOfTenant:
 * served for every tenant, whichever own domains it has verified or not), with the scheme and port
 * the caller reached the platform at (`reachedAt`: the gateway's trusted forwarded origin, such as
 * `http://reseller.localhost:8080` locally); without one, https on its default port.
 */
export function platformOriginOf(tenant: { slug: string; region: string }, baseDomain: string, reachedAt?: string): string {
  const [host] = hostsOfTenant({ ...tenant, domains: [] }, baseDomain);
  const url = new URL(reachedAt ?? 'https://localhost');
  url.hostname = host ?? `${tenant.slug}.${baseDomain}`;
  return url.origin;
}
