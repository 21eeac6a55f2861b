const SLUG = /^[a-z0-9]([a-z0-9-]*[a-z0-9])?$/;

/** `t:{acme}:` — the hash tag keeps all of a tenant's keys in one Redis Cluster slot. */
export function tenantKeyPrefix(tenant: string): string {
  if (!SLUG.test(tenant)) throw new Error(`Not a tenant slug: ${JSON.stringify(tenant)}`);
  return `t:{${tenant}}:`;
}

/** Every Redis key of a tenant is built here, so none can be written outside its tenant's prefix. */
export function tenantKey(tenant: string, ...parts: readonly (string | number)[]): string {
  if (parts.length === 0) throw new Error('A tenant key needs at least one part after the tenant.');
  return tenantKeyPrefix(tenant) + parts.join(':');
}
