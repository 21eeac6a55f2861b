import type { PlatformClient } from '@mindbot/db';

/** Slugs of the active tenants whose home is this region's database (the ones this billing meters). */
export async function activeHomeTenantSlugs(platform: PlatformClient): Promise<string[]> {
  const homes = await platform.tenant.findMany({ where: { home: true, status: 'active' }, select: { slug: true } });
  return homes.map((t) => t.slug);
}
