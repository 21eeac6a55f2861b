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
    // No look-ahead: the CRD generated from this schema is checked by the API server with RE2.
    /^([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$/,
    'must be a lower-case DNS domain name such as voice.example.com',
  );
const httpsUrl = z
  .url({ protocol: /^https$/, error: 'must be an https URL' })
  .max(2048)
  .regex(/^https:\/\//, 'must be an https URL');

/**
 * Kubernetes-only annotations of this schema (CEL rules, list types) ride along as JSON Schema
 * metadata, next to the zod rule they mirror, so the CRD generated from this file
 * (`npm run generate:crd`) enforces in the API server what `parseTenantManifest` enforces here.
 */
const celRule = (rule: string, message: string, fieldPath?: string) => ({ rule, message, ...(fieldPath ? { fieldPath } : {}) });

const secretRef = z
  .object({
    namespace: z.string().min(1).max(63).regex(/^[a-z0-9]([a-z0-9-]*[a-z0-9])?$/, 'must be a namespace name').meta({ description: 'Namespace of the Secret.' }),
    name: z
      .string()
      .min(1)
      .max(253)
      .regex(/^[a-z0-9]([a-z0-9.-]*[a-z0-9])?$/, 'must be a Secret name')
      .meta({ description: 'Name of the Secret.' }),
  })
  .strict();

export const tenantSpecSchema = z
  .object({
    displayName: z.string().min(1).max(100).meta({ description: 'Name shown to users.' }),
    region: z.enum(REGIONS).meta({
      description: 'The one region whose cluster, database and LiveKit serve this tenant. Immutable.',
      'x-kubernetes-validations': [celRule('self == oldSelf', 'region is immutable: a tenant cannot move between regions')],
    }),
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
        livekitSecretRef: secretRef.optional().meta({
          description:
            'Secret holding LIVEKIT_URL, LIVEKIT_API_KEY and LIVEKIT_API_SECRET for this tenant; the operator default when omitted.',
        }),
      })
      .strict()
      .meta({
        description: 'The branded voice agent: persona, voice and scale.',
        'x-kubernetes-validations': [celRule('self.minReplicas <= self.maxReplicas', 'minReplicas must not be greater than maxReplicas', '.minReplicas')],
      }),
    domains: z
      .array(domainName)
      .max(20)
      .default([])
      .meta({ description: 'Host names that resolve to this tenant.', 'x-kubernetes-list-type': 'set' }),
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
    parentReseller: tenantSlugSchema.optional().meta({ description: 'Slug of the reseller tenant that sells to this one.' }),
    suspended: z.boolean().default(false).meta({ description: 'A suspended tenant runs no agents and is refused by the services.' }),
    dataRetention: z
      .enum(['Retain', 'Delete'])
      .default('Retain')
      .meta({ description: "What deleting the Tenant does to its Postgres schema: keep it for restore, or drop it." }),
  })
  .strict()
  .meta({
    'x-kubernetes-validations': [
      celRule('self.agent.maxReplicas <= self.plan.maxAgentReplicas', 'agent.maxReplicas must not exceed plan.maxAgentReplicas', '.agent.maxReplicas'),
    ],
  })
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
