/** `acme-corp` → `t_acme_corp`: the tenant's Postgres schema. Slugs have no `_`, so the mapping is one-to-one. */
export function schemaNameOf(slug: string): string {
  return `t_${slug.replaceAll('-', '_')}`;
}

/** The tenant's own Postgres role has the schema's name, which keeps `SET ROLE` and grants readable. */
export function roleNameOf(slug: string): string {
  return schemaNameOf(slug);
}
