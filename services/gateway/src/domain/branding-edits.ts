import { fail, ok, type Result } from '@mindbot/errors';
import type { BrandingOverrides, BrandingPatch, BrandingView, TenantRegistry } from '@mindbot/tenant-registry';
import type { BrandingSettingKey } from '@mindbot/tenancy';
import type { BrandingEditor, BrandingEditRecords } from '../data/branding-edit-records.js';

export type BrandingEditRefusal =
  | { ok: false; failure: 'managed_by_manifest'; fields: BrandingSettingKey[] }
  | { ok: false; failure: 'insecure_logo' }
  | { ok: false; failure: 'not_found' };

export interface BrandingEditsDeps {
  overrides: BrandingOverrides;
  records: BrandingEditRecords;
  registry: TenantRegistry;
  /** An http logo (on a loopback host) is accepted only where the platform itself is served over http: local development. */
  allowHttpLogos: boolean;
}

/**
 * Tenant admins' branding and default persona (docs/adr/0055-branding-edits-beside-the-manifest.md):
 * a setting the Tenant manifest sets is the manifest's and refused here; the others are saved beside
 * the manifest and are what the widget and the next call get, on every process within the
 * notification's latency and on this one at once.
 */
export class BrandingEdits {
  constructor(private readonly deps: BrandingEditsDeps) {}

  /** The settings in effect and who decides each, as just saved (not a cached answer). */
  async view(tenant: string): Promise<Result<BrandingView, 'not_found'>> {
    const view = await this.deps.overrides.view(tenant);
    return view ? ok(view) : fail('not_found');
  }

  async save(
    tenant: string,
    patch: BrandingPatch,
    editor: BrandingEditor,
  ): Promise<{ ok: true; value: BrandingView } | BrandingEditRefusal> {
    if (!this.deps.allowHttpLogos && typeof patch.logoUrl === 'string' && !patch.logoUrl.startsWith('https://'))
      return fail('insecure_logo');
    const saved = await this.deps.records.save(tenant, patch, editor);
    if (!saved.ok) return saved;
    // Other processes drop the tenant on the save's notification; this one need not wait for it.
    if (saved.value.changed.length > 0) this.deps.registry.invalidate(tenant);
    return ok(saved.value.view);
  }
}
