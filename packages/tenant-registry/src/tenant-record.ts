import { z } from 'zod';
import type { Prisma } from '@mindbot/db';
import {
  BILLING_DEFAULTS,
  effectiveBranding,
  manifestBrandingOf,
  PLAN_DEFAULTS,
  SSO_DEFAULTS,
  VOICES,
  type BrandingSettingKey,
  type BrandingSettings,
  type BrandingSource,
} from '@mindbot/tenancy';

// The registry's JSON columns hold what a parsed manifest said (packages/provisioning registryRowOf).
// A row written before a field existed falls back to the manifest's own default for it. Branding and
// the default persona's settings may be left out of a manifest: the console's value or the platform
// default is used then (ADR 0055).
const brandingSchema = z.object({
  logoUrl: z.string().optional(),
  primaryColor: z.string().optional(),
  accentColor: z.string().optional(),
  agentName: z.string().optional(),
  greeting: z.string().optional(),
});
const voiceSchema = z.enum(VOICES).optional().catch(undefined);
const limitsSchema = z.object({
  requestsPerMinute: z.number().int().positive().default(PLAN_DEFAULTS.requestsPerMinute),
  concurrentSessions: z.number().int().positive().default(PLAN_DEFAULTS.concurrentSessions),
  agentPool: z.enum(['dedicated', 'shared']).default(PLAN_DEFAULTS.agentPool),
});
const personaSchema = z.object({
  id: z.string(),
  name: z.string(),
  voice: z.string(),
  language: z.string().optional(),
  instructions: z.string(),
  greeting: z.string(),
});
const agentSchema = z
  .object({
    persona: z.string().optional(),
    voice: voiceSchema,
    language: z.string().optional(),
    personas: z.array(personaSchema).default([]),
    defaultPersona: z.string().optional(),
    onboardingGreeting: z.string().optional(),
  })
  .loose();
const billingSchema = z
  .object({
    currency: z.string().catch(BILLING_DEFAULTS.currency),
    platformFeePercent: z.number().catch(BILLING_DEFAULTS.platformFeePercent),
  })
  .catch({ ...BILLING_DEFAULTS });
const ssoSchema = z
  .object({
    passwordLogin: z.boolean().default(SSO_DEFAULTS.passwordLogin),
    jitProvisioning: z.boolean().default(SSO_DEFAULTS.jitProvisioning),
  })
  .catch({ ...SSO_DEFAULTS });

/** What the registry's copy of the manifest says beyond its own columns (a row written before a field existed: its default). */
const manifestExtrasSchema = z
  .object({
    spec: z
      .object({ embedOrigins: z.array(z.string()).catch([]).default([]), displayName: z.string().optional().catch(undefined) })
      .loose(),
  })
  .loose()
  .catch({ spec: { embedOrigins: [] } });

/** A tenant as every service reads it from the platform registry. */
export interface TenantRecord {
  id: string;
  slug: string;
  displayName: string;
  region: string;
  /** provisioning | active | suspended | deprovisioning */
  status: string;
  /** Whether this region's database holds the tenant's data. */
  home: boolean;
  suspended: boolean;
  /** The effective branding: the manifest's, else the console's, else the default (no logo: ''). */
  branding: { logoUrl: string; primaryColor: string; accentColor: string; agentName: string; greeting: string };
  /** The manifest's agent, with the default persona's instructions (`persona`), voice and language in effect. */
  agent: z.output<typeof agentSchema> & { persona: string; voice: string; language: string };
  /** The editable settings in effect, and who decides each (manifest, console or default). */
  brandingSettings: { settings: BrandingSettings; managedBy: Record<BrandingSettingKey, BrandingSource> };
  /** The plan's limits. */
  limits: z.output<typeof limitsSchema>;
  billing: z.output<typeof billingSchema>;
  sso: z.output<typeof ssoSchema>;
  /** Whether calls' transcripts are kept (`agent.transcripts` in the manifest, on unless turned off). */
  keepTranscripts: boolean;
  /** The tenant's own host names (lower case), in alphabetical order. */
  domains: string[];
  /** Other websites' origins that may embed the tenant's web widget (`embedOrigins` in the manifest). */
  embedOrigins: string[];
}

export const WITH_DOMAINS = { domains: { select: { domain: true }, orderBy: { domain: 'asc' } } } as const;
export type RegistryRow = Prisma.TenantGetPayload<{ include: typeof WITH_DOMAINS }>;

/** A console-saved row of `platform.tenant_branding_overrides`; a null column is not set there. */
export type BrandingOverrideRow = { [K in BrandingSettingKey]: string | null };

export const BRANDING_OVERRIDE_COLUMNS = {
  displayName: true,
  agentName: true,
  primaryColor: true,
  accentColor: true,
  logoUrl: true,
  greeting: true,
  voice: true,
  language: true,
  instructions: true,
} as const satisfies Record<BrandingSettingKey, true>;

/** The settings a manifest sets, read from the registry row's copy of it. */
export function manifestBrandingOfRow(row: { branding: unknown; agent: unknown; manifest: unknown }): Partial<BrandingSettings> {
  const agent = agentSchema.parse(row.agent);
  const displayName = manifestExtrasSchema.parse(row.manifest).spec.displayName;
  return manifestBrandingOf({
    ...(displayName === undefined ? {} : { displayName }),
    branding: brandingSchema.parse(row.branding),
    agent: { persona: agent.persona, voice: agent.voice, language: agent.language },
  });
}

/** The settings saved in the console; a value the platform no longer accepts (an unknown voice) counts as unset. */
export function consoleBrandingOf(row: BrandingOverrideRow | null): Partial<BrandingSettings> {
  if (!row) return {};
  const voice = voiceSchema.parse(row.voice ?? undefined);
  const set: Partial<BrandingSettings> = {};
  for (const key of [
    'displayName',
    'agentName',
    'primaryColor',
    'accentColor',
    'logoUrl',
    'greeting',
    'language',
    'instructions',
  ] as const) {
    const value = row[key];
    if (value !== null) set[key] = value;
  }
  if (voice !== undefined) set.voice = voice;
  return set;
}

export function toTenantRecord(row: RegistryRow, override: BrandingOverrideRow | null = null): TenantRecord {
  const agent = agentSchema.parse(row.agent);
  const brandingSettings = effectiveBranding(row.slug, manifestBrandingOfRow(row), consoleBrandingOf(override));
  const { settings } = brandingSettings;
  return {
    id: row.id,
    slug: row.slug,
    displayName: settings.displayName,
    region: row.region,
    status: row.status,
    home: row.home,
    suspended: row.suspended,
    branding: {
      logoUrl: settings.logoUrl ?? '',
      primaryColor: settings.primaryColor,
      accentColor: settings.accentColor,
      agentName: settings.agentName,
      greeting: settings.greeting,
    },
    agent: { ...agent, persona: settings.instructions, voice: settings.voice, language: settings.language },
    brandingSettings,
    limits: limitsSchema.parse(row.limits),
    billing: billingSchema.parse(row.billing),
    sso: ssoSchema.parse(row.sso),
    keepTranscripts: agent.transcripts !== false,
    domains: row.domains.map((d) => d.domain),
    embedOrigins: manifestExtrasSchema.parse(row.manifest).spec.embedOrigins,
  };
}
