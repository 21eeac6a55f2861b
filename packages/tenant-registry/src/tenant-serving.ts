import { AppError } from '@mindbot/errors';
import type { TenantRecord } from './tenant-record.js';

/** Where a request was received. */
export interface ServingPlace {
  /** The region this process serves (`MINDBOT_REGION`). */
  region: string;
  /**
   * Where a tenant of another region is served, when this process knows every region's URL (the
   * gateway): the 421 then names the tenant's base URL, and its Location is that URL with `path`.
   */
  elsewhere?: { baseUrlOf(slug: string, region: string): string; path: string };
}

export type TenantServing = { served: true; tenant: TenantRecord } | { served: false; problem: AppError };

/**
 * Whether the tenant is served here, or the problem every service answers instead, in this order:
 * unknown or being deleted → 404; another region's tenant → 421 naming its region (and URL when
 * known); this region's but without its data here → 503; suspended → 403 tenant_suspended; not
 * active yet (provisioning) → 503 with Retry-After.
 */
export function servingOf(tenant: TenantRecord | null, here: ServingPlace): TenantServing {
  if (!tenant || tenant.status === 'deprovisioning') return refused(new AppError('not_found', 'No such tenant is served here.'));
  if (tenant.region !== here.region) {
    if (!here.elsewhere) {
      return refused(
        new AppError('misdirected_request', `This tenant is served in region ${tenant.region}.`, { extensions: { region: tenant.region } }),
      );
    }
    const baseUrl = here.elsewhere.baseUrlOf(tenant.slug, tenant.region);
    return refused(
      new AppError('misdirected_request', `This tenant is served in region ${tenant.region}; send the request to ${baseUrl}.`, {
        extensions: { region: tenant.region, baseUrl },
        headers: { Location: `${baseUrl}${here.elsewhere.path}` },
      }),
    );
  }
  if (!tenant.home) return refused(new AppError('unavailable', 'This tenant is not available in this region right now.'));
  if (tenant.suspended || tenant.status === 'suspended') return refused(new AppError('tenant_suspended', 'This tenant is suspended.'));
  if (tenant.status !== 'active') {
    return refused(new AppError('unavailable', 'This tenant is not available yet.', { headers: { 'Retry-After': '10' } }));
  }
  return { served: true, tenant };
}

function refused(problem: AppError): TenantServing {
  return { served: false, problem };
}
