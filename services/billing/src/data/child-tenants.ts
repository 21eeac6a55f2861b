import type { PlatformClient } from '@mindbot/db';

/**
 * Slugs of the tenants whose manifest names `parentSlug` as `parentReseller` (the registry's
 * `parent_slug`, written by provisioning), in slug order, after `after`, at most `take`.
 */
export async function childTenantSlugs(
  platform: PlatformClient,
  parentSlug: string,
  page: { after?: string; take: number },
): Promise<string[]> {
  const rows = await platform.tenant.findMany({
    where: { parentSlug, ...(page.after === undefined ? {} : { slug: { gt: page.after } }) },
    select: { slug: true },
    orderBy: { slug: 'asc' },
    take: page.take,
  });
  return rows.map((row) => row.slug);
}
