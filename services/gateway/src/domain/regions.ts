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
}
