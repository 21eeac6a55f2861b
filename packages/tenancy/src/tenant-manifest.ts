import { z } from 'zod';

export const TENANT_API_VERSION = 'platform.mindbot.ai/v1alpha1';
export const TENANT_KIND = 'Tenant';

/** The regions the platform runs in; a tenant lives in exactly one. */
export const REGIONS = ['eu-west', 'us-east', 'ap-southeast'] as const;
/** The agent voices every deployment offers, whatever speech provider backs them. */
export const VOICES = ['aurora', 'breeze', 'cedar', 'dune', 'ember', 'fjord'] as const;
export const PLANS = ['starter', 'business', 'enterprise'] as const;

export type Region = (typeof REGIONS)[number];
export type Voice = (typeof VOICES)[number];
export type PlanName = (typeof PLANS)[number];

// DNS-1123 label, short enough that `t_<slug>` and `tenant-<slug>` stay valid Postgres and Kubernetes names.
export const tenantSlugSchema = z
  .string()
  .min(3)
  .max(40)
  .regex(/^[a-z]([a-z0-9-]*[a-z0-9])?$/, 'must be a DNS-1123 label: lower-case letters, digits and "-", starting with a letter');

const hexColour = z.string().regex(/^#[0-9a-fA-F]{6}$/, 'must be a hex colour such as #1a2b3c');
const domainName = z
  .string()
  .max(253)
  .regex(
    /^(?=.{1,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$/,
    'must be a lower-case DNS domain name such as voice.example.com',
  );
const httpsUrl = z.url({ protocol: /^https$/, error: 'must be an https URL' }).max(2048);

export const tenantSpecSchema = z
  .object({
    displayName: z.string().min(1).max(100),
    region: z.enum(REGIONS),
    branding: z
      .object({
        logoUrl: httpsUrl,
        primaryColor: hexColour,
        accentColor: hexColour,
        agentName: z.string().min(1).max(60),
        greeting: z.string().min(1).max(500),
      })
      .strict(),
    agent: z
      .object({
        persona: z.string().min(1).max(8000),
        voice: z.enum(VOICES),
        language: z.string().regex(/^[a-z]{2}(-[A-Z]{2})?$/, 'must be a language tag such as en or en-US').default('en'),
        minReplicas: z.int().min(0).max(50).default(1),
        maxReplicas: z.int().min(1).max(200).default(3),
      })
      .strict(),
    domains: z.array(domainName).max(20).default([]),
    plan: z
      .object({
        name: z.enum(PLANS),
        requestsPerMinute: z.int().min(1).max(1_000_000).default(600),
        concurrentSessions: z.int().min(1).max(100_000).default(10),
        maxAgentReplicas: z.int().min(1).max(200).default(5),
      })
      .strict(),
    billing: z
      .object({
        currency: z.enum(['usd', 'eur', 'gbp', 'cad', 'aud', 'sgd', 'jpy']).default('usd'),
        platformFeePercent: z.number().min(0).max(50).default(10),
      })
      .strict(),
    sso: z
      .object({
        passwordLogin: z.boolean().default(true),
        jitProvisioning: z.boolean().default(true),
      })
      .strict()
      .default({ passwordLogin: true, jitProvisioning: true }),
    parentReseller: tenantSlugSchema.optional(),
    suspended: z.boolean().default(false),
    dataRetention: z.enum(['Retain', 'Delete']).default('Retain'),
  })
  .strict()
  .superRefine((spec, ctx) => {
    if (spec.agent.minReplicas > spec.agent.maxReplicas) {
      ctx.addIssue({ code: 'custom', path: ['agent', 'minReplicas'], message: 'must not be greater than agent.maxReplicas' });
    }
    if (spec.agent.maxReplicas > spec.plan.maxAgentReplicas) {
      ctx.addIssue({ code: 'custom', path: ['agent', 'maxReplicas'], message: 'must not exceed plan.maxAgentReplicas' });
    }
    if (new Set(spec.domains).size !== spec.domains.length) {
      ctx.addIssue({ code: 'custom', path: ['domains'], message: 'must not list a domain twice' });
    }
  });

export const tenantManifestSchema = z
  .object({
    apiVersion: z.literal(TENANT_API_VERSION),
    kind: z.literal(TENANT_KIND),
    metadata: z
      .object({
        name: tenantSlugSchema,
        labels: z.record(z.string(), z.string()).optional(),
        annotations: z.record(z.string(), z.string()).optional(),
      })
      .loose(),
    spec: tenantSpecSchema,
  })
  .loose();

export type TenantSpec = z.output<typeof tenantSpecSchema>;
export type TenantManifest = z.output<typeof tenantManifestSchema>;
