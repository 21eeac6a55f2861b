import type { PlatformClient } from '@mindbot/db';
import {
  BRANDING_SETTING_KEYS,
  effectiveBranding,
  type BrandingSettingKey,
  type BrandingSettings,
  type BrandingSource,
} from '@mindbot/tenancy';
import { BRANDING_OVERRIDE_COLUMNS, consoleBrandingOf, manifestBrandingOfRow } from './tenant-record.js';

/** A console edit: a value sets a setting, null clears the console's value (back to the default). */
export type BrandingPatch = { [K in BrandingSettingKey]?: BrandingSettings[K] | null };

/** The settings in effect and who decides each. */
export interface BrandingView {
  settings: BrandingSettings;
  managedBy: Record<BrandingSettingKey, BrandingSource>;
}

export type BrandingSaveResult =
  | { ok: true; value: { view: BrandingView; changed: BrandingSettingKey[] } }
  | { ok: false; failure: 'not_found' }
  | { ok: false; failure: 'managed_by_manifest'; fields: BrandingSettingKey[] };

/**
 * The console's side of ADR 0055: tenant admins' values for the settings a tenant's manifest leaves
 * out, in `platform.tenant_branding_overrides`. It never writes the tenant's registry row, and it
 * refuses a setting the manifest sets. Each save notifies `mindbot_tenant_changed` at commit (a
 * trigger), so every process's registry cache drops the tenant at once.
 */
export class BrandingOverrides {
  constructor(private readonly platform: PlatformClient) {}

  /** What is in effect now, read from the database rather than a cache: what an admin just saved. */
  async view(slug: string): Promise<BrandingView | null> {
    const [row, override] = await Promise.all([
      this.platform.tenant.findUnique({ where: { slug }, select: { branding: true, agent: true, manifest: true } }),
      this.platform.tenantBrandingOverride.findUnique({ where: { slug }, select: BRANDING_OVERRIDE_COLUMNS }),
    ]);
    return row ? effectiveBranding(slug, manifestBrandingOfRow(row), consoleBrandingOf(override)) : null;
  }

  /**
   * Applies `patch` unless it names a setting the manifest sets (then nothing changes). The tenant's
   * row is read FOR SHARE: a manifest taking a setting over waits for this save to commit, and then
   * drops the value it saved (the registry migration's trigger), so no setting ever has two values.
   */
  async save(slug: string, patch: BrandingPatch, actor: string): Promise<BrandingSaveResult> {
    return this.platform.$transaction(async (tx) => {
      const rows = await tx.$queryRaw<{ branding: unknown; agent: unknown; manifest: unknown }[]>`
        SELECT branding, agent, manifest FROM platform.tenants WHERE slug = ${slug} FOR SHARE`;
      const row = rows[0];
      if (!row) return { ok: false, failure: 'not_found' };
      const manifest = manifestBrandingOfRow(row);
      const changed = BRANDING_SETTING_KEYS.filter((key) => patch[key] !== undefined);
      const managed = changed.filter((key) => manifest[key] !== undefined);
      if (managed.length > 0) return { ok: false, failure: 'managed_by_manifest', fields: managed };
      const current = await tx.tenantBrandingOverride.findUnique({ where: { slug }, select: BRANDING_OVERRIDE_COLUMNS });
      if (changed.length === 0)
        return { ok: true, value: { view: effectiveBranding(slug, manifest, consoleBrandingOf(current)), changed } };
      const columns = Object.fromEntries(changed.map((key) => [key, patch[key] ?? null]));
      const saved = await tx.tenantBrandingOverride.upsert({
        where: { slug },
        create: { slug, ...columns, updatedBy: actor },
        update: { ...columns, updatedBy: actor, updatedAt: new Date() },
        select: BRANDING_OVERRIDE_COLUMNS,
      });
      return { ok: true, value: { view: effectiveBranding(slug, manifest, consoleBrandingOf(saved)), changed } };
    });
  }
}
