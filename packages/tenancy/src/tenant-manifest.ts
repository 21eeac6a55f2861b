import { z } from 'zod';

export const TENANT_API_VERSION = 'platform.mindbot.ai/v1alpha1';
export const TENANT_KIND = 'Tenant';

/** The regions the platform runs in; a tenant lives in exactly one. */
export const REGIONS = ['eu-west', 'us-east', 'ap-southeast'] as const;
/** The agent voices every deployment offers, whatever speech provider backs them. */
export const VOICES = ['aurora', 'breeze', 'cedar', 'dune', 'ember', 'fjord'] as const;
export const PLANS = ['starter', 'business', 'enterprise'] as const;
/** The id of the persona every tenant has: its agentName, persona, voice and greeting. */
export const DEFAULT_PERSONA_ID = 'default';

/**
 * What a manifest gets when it leaves a plan limit, a billing setting or an SSO setting out. The one
 * place these values are written: the manifest schema below applies them, and the registry reader
 * (@mindbot/tenant-registry) falls back to them for a registry row written before a field existed.
 */
export const PLAN_DEFAULTS = { requestsPerMinute: 600, concurrentSessions: 10, maxAgentReplicas: 5, agentPool: 'dedicated' } as const;
export const BILLING_DEFAULTS = { currency: 'usd', platformFeePercent: 10 } as const;
export const SSO_DEFAULTS = { passwordLogin: true, jitProvisioning: true } as const;

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

/** The rule of docs/adr/0055-branding-edits-beside-the-manifest.md, in every field it applies to. */
const CONSOLE_EDITABLE = "Left out, tenant admins may set it in the console (the manifest's value wins whenever it has one).";

/**
 * Kubernetes-only annotations of this schema (CEL rules, list types) ride along as JSON Schema
 * metadata, next to the zod rule they mirror, so the CRD generated from this file
 * (`npm run generate:crd`) enforces in the API server what `parseTenantManifest` enforces here.
 */
const celRule = (rule: string, message: string, fieldPath?: string) => ({ rule, message, ...(fieldPath ? { fieldPath } : {}) });

// A browser origin: scheme, host and optional port, nothing else. https, or http on a loopback host
// (local development). No look-ahead: the CRD's API server checks it with RE2.
const label = '[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?';
const embedOrigin = z
  .string()
  .max(300)
  .regex(
    new RegExp(`^(https://(${label}\\.)*${label}|http://(localhost|127\\.0\\.0\\.1|(${label}\\.)+localhost))(:[0-9]{1,5})?$`),
    'must be an origin such as https://www.example.com (http only for localhost or 127.0.0.1), without a path',
  );

const languageTag = z.string().regex(/^[a-z]{2}(-[A-Z]{2})?$/, 'must be a language tag such as en or en-US');

/** One of a tenant's agent characters: a user may pick it when starting a session. */
const personaSchema = z
  .object({
    id: z
      .string()
      .regex(/^[a-z][a-z0-9-]{0,39}$/, 'must be lower-case letters, digits and "-", starting with a letter')
      .meta({ description: 'What a client passes as `persona` when starting a voice session.' }),
    name: z.string().min(1).max(60).meta({ description: 'The name the agent introduces itself with.' }),
    voice: z.enum(VOICES),
    language: languageTag.optional().meta({ description: "The persona's language; agent.language when omitted." }),
    instructions: z.string().min(1).max(8000),
    greeting: z.string().min(1).max(500),
  })
  .strict();

const secretRef = z
  .object({
    namespace: z
      .string()
      .min(1)
      .max(63)
      .regex(/^[a-z0-9]([a-z0-9-]*[a-z0-9])?$/, 'must be a namespace name')
      .meta({ description: 'Namespace of the Secret.' }),
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
    displayName: z
      .string()
      .min(1)
      .max(100)
      .optional()
      .meta({ description: `Name shown to users. ${CONSOLE_EDITABLE}` }),
    region: z.enum(REGIONS).meta({
      description: 'The one region whose cluster, database and LiveKit serve this tenant. Immutable.',
      'x-kubernetes-validations': [celRule('self == oldSelf', 'region is immutable: a tenant cannot move between regions')],
    }),
    branding: z
      .object({
        logoUrl: httpsUrl.optional(),
        primaryColor: hexColour.optional(),
        accentColor: hexColour.optional(),
        agentName: z.string().min(1).max(60).optional(),
        greeting: z.string().min(1).max(500).optional(),
      })
      .strict()
      .default({})
      .meta({ description: `What the web widget and the default persona show. ${CONSOLE_EDITABLE}` }),
    agent: z
      .object({
        persona: z
          .string()
          .min(1)
          .max(8000)
          .optional()
          .meta({ description: `The default persona's instructions. ${CONSOLE_EDITABLE}` }),
        voice: z
          .enum(VOICES)
          .optional()
          .meta({ description: `The default persona's voice. ${CONSOLE_EDITABLE}` }),
        language: languageTag.optional().meta({ description: `The agent's language (personas without one too). ${CONSOLE_EDITABLE}` }),
        personas: z
          .array(personaSchema)
          .max(20)
          .default([])
          .meta({
            description:
              'More characters a user may choose when starting a session; the default persona is always branding.agentName with agent.persona, agent.voice and branding.greeting.',
            'x-kubernetes-list-type': 'map',
            'x-kubernetes-list-map-keys': ['id'],
          }),
        defaultPersona: z
          .string()
          .regex(/^[a-z][a-z0-9-]{0,39}$/)
          .optional()
          .meta({ description: 'The id of the persona used when a session names none; the built-in default persona when omitted.' }),
        onboardingGreeting: z
          .string()
          .min(1)
          .max(500)
          .optional()
          .meta({ description: "What the agent says instead of the greeting in a user's very first call." }),
        transcripts: z.boolean().default(true).meta({ description: "Keep each call's transcript and tool calls in the tenant's schema." }),
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
        'x-kubernetes-validations': [
          celRule('self.minReplicas <= self.maxReplicas', 'minReplicas must not be greater than maxReplicas', '.minReplicas'),
        ],
      }),
    domains: z
      .array(domainName)
      .max(20)
      .default([])
      .meta({ description: 'Host names that resolve to this tenant.', 'x-kubernetes-list-type': 'set' }),
    embedOrigins: z.array(embedOrigin).max(50).optional().meta({
      description:
        "Other websites that may embed the tenant's web widget (their origins get CORS on the tenant's API); the tenant's own hosts always may.",
      'x-kubernetes-list-type': 'set',
    }),
    plan: z
      .object({
        name: z.enum(PLANS),
        requestsPerMinute: z.int().min(1).max(1_000_000).default(PLAN_DEFAULTS.requestsPerMinute),
        concurrentSessions: z.int().min(1).max(100_000).default(PLAN_DEFAULTS.concurrentSessions),
        maxAgentReplicas: z.int().min(1).max(200).default(PLAN_DEFAULTS.maxAgentReplicas),
        agentPool: z.enum(['dedicated', 'shared']).default(PLAN_DEFAULTS.agentPool).meta({
          description:
            "Which workers answer this tenant's calls: its own agent Deployment, or the region's shared worker pool (no idle pod per tenant). Either way a job's credential reaches only that tenant and session.",
        }),
      })
      .strict(),
    billing: z
      .object({
        currency: z.enum(['usd', 'eur', 'gbp', 'cad', 'aud', 'sgd', 'jpy']).default(BILLING_DEFAULTS.currency),
        platformFeePercent: z.number().min(0).max(50).default(BILLING_DEFAULTS.platformFeePercent),
      })
      .strict(),
    sso: z
      .object({
        passwordLogin: z.boolean().default(SSO_DEFAULTS.passwordLogin),
        jitProvisioning: z.boolean().default(SSO_DEFAULTS.jitProvisioning),
      })
      .strict()
      .default({ ...SSO_DEFAULTS }),
    owners: z.array(z.email().max(254)).max(20).default([]).meta({
      description:
        "Email addresses of the tenant's owners: each is invited by email (a single-use link, valid 7 days) and becomes an owner at the first sign-in. Removing an address here does not remove an owner who has signed in.",
      'x-kubernetes-list-type': 'set',
    }),
    parentReseller: tenantSlugSchema.optional().meta({ description: 'Slug of the reseller tenant that sells to this one.' }),
    suspended: z.boolean().default(false).meta({ description: 'A suspended tenant runs no agents and is refused by the services.' }),
    dataRetention: z
      .enum(['Retain', 'Delete'])
      .default('Retain')
      .meta({ description: 'What deleting the Tenant does to its Postgres schema: keep it for restore, or drop it.' }),
  })
  .strict()
  .meta({
    'x-kubernetes-validations': [
      celRule(
        'self.agent.maxReplicas <= self.plan.maxAgentReplicas',
        'agent.maxReplicas must not exceed plan.maxAgentReplicas',
        '.agent.maxReplicas',
      ),
    ],
  })
  .superRefine((spec, ctx) => {
    if (spec.agent.minReplicas > spec.agent.maxReplicas) {
      ctx.addIssue({ code: 'custom', path: ['agent', 'minReplicas'], message: 'must not be greater than agent.maxReplicas' });
    }
    if (spec.agent.maxReplicas > spec.plan.maxAgentReplicas) {
      ctx.addIssue({ code: 'custom', path: ['agent', 'maxReplicas'], message: 'must not exceed plan.maxAgentReplicas' });
    }
    const personaIds = spec.agent.personas.map((p) => p.id);
    if (new Set(personaIds).size !== personaIds.length) {
      ctx.addIssue({ code: 'custom', path: ['agent', 'personas'], message: 'must not list a persona id twice' });
    }
    if (personaIds.includes(DEFAULT_PERSONA_ID)) {
      ctx.addIssue({
        code: 'custom',
        path: ['agent', 'personas'],
        message: `must not use the id "${DEFAULT_PERSONA_ID}": it names the built-in persona`,
      });
    }
    if (
      spec.agent.defaultPersona !== undefined &&
      spec.agent.defaultPersona !== DEFAULT_PERSONA_ID &&
      !personaIds.includes(spec.agent.defaultPersona)
    ) {
      ctx.addIssue({ code: 'custom', path: ['agent', 'defaultPersona'], message: 'must be the id of one of agent.personas' });
    }
    if (spec.embedOrigins && new Set(spec.embedOrigins).size !== spec.embedOrigins.length) {
      ctx.addIssue({ code: 'custom', path: ['embedOrigins'], message: 'must not list an origin twice' });
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
