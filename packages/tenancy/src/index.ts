export {
  tenantSpecSchema,
  tenantManifestSchema,
  tenantSlugSchema,
  REGIONS,
  VOICES,
  PLANS,
  DEFAULT_PERSONA_ID,
  PLAN_DEFAULTS,
  BILLING_DEFAULTS,
  SSO_DEFAULTS,
  TENANT_API_VERSION,
  TENANT_KIND,
  type TenantManifest,
  type TenantSpec,
  type Region,
  type Voice,
  type PlanName,
} from './tenant-manifest.js';
export { parseTenantManifest, parseTenantManifests, ManifestError, type ManifestProblem } from './parse-manifest.js';
export { schemaNameOf, roleNameOf } from './names.js';
export { specHash } from './spec-hash.js';
export { hostsOfTenant, slugOfPlatformHost } from './tenant-host.js';
export { canonicalJson } from './canonical-json.js';
export { personasOf, choosePersona, type Persona } from './personas.js';
export { dedicatedAgentName, roomNameOf } from './voice-names.js';
export {
  BRANDING_SETTING_KEYS,
  BRANDING_DEFAULTS,
  MANIFEST_FIELD_OF,
  manifestBrandingOf,
  effectiveBranding,
  type BrandingSettingKey,
  type BrandingSettings,
  type BrandingSource,
  type BrandingSpec,
} from './branding-settings.js';
