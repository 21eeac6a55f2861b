import { REGIONS } from '@mindbot/tenancy';

/** Where each region serves a tenant, so a request that reached the wrong region can be sent on. */
export class RegionMap {
  constructor(
    readonly here: string,
    private readonly templates: Partial<Record<string, string>>,
    private readonly scheme: 'http' | 'https',
    private readonly baseDomain: string,
  ) {}

  /** The tenant's base URL in its own region, e.g. `https://acme.us-east.mindbot.ai`. */
  baseUrlOf(tenant: string, region: string): string {
    const template = this.templates[region] ?? `${this.scheme}://{tenant}.${region}.${this.baseDomain}`;
    return template.replaceAll('{tenant}', tenant);
  }

  /** The slug named by a platform host: `<slug>.<base>` or `<slug>.<region>.<base>`; undefined for other hosts. */
  slugOfHost(host: string): string | undefined {
    const suffix = `.${this.baseDomain}`;
    if (!host.endsWith(suffix)) return undefined;
    const labels = host.slice(0, -suffix.length).split('.');
    if (labels.length === 1) return labels[0];
    if (labels.length === 2 && (REGIONS as readonly string[]).includes(labels[1] ?? '')) return labels[0];
    return undefined;
  }
}
