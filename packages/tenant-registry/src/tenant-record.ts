import { z } from 'zod';
import type { Prisma } from '@mindbot/db';
import { BILLING_DEFAULTS, PLAN_DEFAULTS, SSO_DEFAULTS } from '@mindbot/tenancy';

// The registry's JSON columns hold what a parsed manifest said (packages/provisioning registryRowOf).
// A row written before a field existed falls back to the manifest's own default for it.
const brandingSchema = z.object({
  logoUrl: z.string(),
  primaryColor: z.string(),
  accentColor: z.string(),
  agentName: z.string(),
  greeting: z.string(),
});
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
    persona: z.string().default(''),
    voice: z.string().default('aurora'),
    language: z.string().default('en'),
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
  .object({ spec: z.object({ embedOrigins: z.array(z.string()).catch([]).default([]) }).loose() })
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
  branding: z.output<typeof brandingSchema>;
  agent: z.output<typeof agentSchema>;
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

export function toTenantRecord(row: RegistryRow): TenantRecord {
  const agent = agentSchema.parse(row.agent);
  return {
    id: row.id,
    slug: row.slug,
    displayName: row.displayName,
    region: row.region,
    status: row.status,
    home: row.home,
    suspended: row.suspended,
    branding: brandingSchema.parse(row.branding),
    agent,
    limits: limitsSchema.parse(row.limits),
    billing: billingSchema.parse(row.billing),
    sso: ssoSchema.parse(row.sso),
    keepTranscripts: agent.transcripts !== false,
    domains: row.domains.map((d) => d.domain),
    embedOrigins: manifestExtrasSchema.parse(row.manifest).spec.embedOrigins,
  };
}
