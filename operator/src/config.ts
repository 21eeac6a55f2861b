import { z } from 'zod';
import { stripeClientEnv, stripeSecretKey } from '@mindbot/stripe-connect';
import { commonEnv, envBoolean, loadConfig } from '@mindbot/config';
import { REGIONS, VOICES } from '@mindbot/tenancy';
import {
  LLM_PROVIDERS,
  PROVIDER_KEYS,
  STT_PROVIDERS,
  TTS_PROVIDERS,
  requiredProviderKeys,
  type ProviderKey,
} from './controllers/tenant/agent-providers.js';
import type { WorkloadConfig } from './controllers/tenant/context.js';

const secretRef = z
  .string()
  .regex(/^[a-z0-9-]+\/[a-z0-9.-]+$/, 'must be <namespace>/<name>')
  .transform((value) => {
    const [namespace = '', name = ''] = value.split('/');
    return { namespace, name };
  });

const cidr = z.string().regex(/^[0-9a-f:.]+\/\d{1,3}$/, 'must be a CIDR such as 10.0.0.0/8');

/** `VARIABLE=key,…`: where in the provider Secret each key is; a variable not listed is under its own name. */
const providerKeyNames = z
  .string()
  .default('')
  .transform((text, ctx): Record<ProviderKey, string> => {
    const keys: Record<ProviderKey, string> = {
      OPENAI_API_KEY: 'OPENAI_API_KEY',
      DEEPGRAM_API_KEY: 'DEEPGRAM_API_KEY',
      ELEVEN_API_KEY: 'ELEVEN_API_KEY',
    };
    for (const pair of text
      .split(',')
      .map((p) => p.trim())
      .filter(Boolean)) {
      const [variable = '', key = ''] = pair.split('=').map((p) => p.trim());
      const known = PROVIDER_KEYS.find((k) => k === variable);
      if (known === undefined || !/^[-._a-zA-Z0-9]+$/.test(key)) {
        ctx.addIssue({ code: 'custom', message: `must be VARIABLE=key pairs, comma-separated, for ${PROVIDER_KEYS.join(', ')}` });
        return z.NEVER;
      }
      keys[known] = key;
    }
    return keys;
  });

/** Persona voice → provider voice id, as JSON; passed on to the agents as written once it is known to be valid. */
const voiceMap = z
  .string()
  .optional()
  .refine((text) => text === undefined || z.partialRecord(z.enum(VOICES), z.string().min(1).max(200)).safeParse(safeJson(text)).success, {
    message: `must be a JSON object from persona voices (${VOICES.join(', ')}) to provider voice ids`,
  });

const milliseconds = (fallback: number) =>
  z.coerce
    .number()
    .int()
    .min(1)
    .max(24 * 3_600_000)
    .default(fallback);

/** The operator's environment, parsed once; a bad value stops start-up naming the variable. */
export const operatorEnv = z
  .object({
    ...commonEnv,
    /** Unset: $KUBECONFIG, ~/.kube/config, or the in-cluster service account, in that order. */
    KUBECONFIG: z.string().optional(),
    KUBE_CONTEXT: z.string().optional(),
    DATABASE_URL: z.url({ protocol: /^postgres(ql)?$/, error: 'must be a postgres:// URL' }),
    DATABASE_POOL_MAX: z.coerce.number().int().min(1).max(100).default(5),
    /** The regions the platform runs, comma-separated; Tenants elsewhere get an UnknownRegion condition. */
    MINDBOT_REGIONS: z
      .string()
      .default(REGIONS.join(','))
      .transform((v) =>
        v
          .split(',')
          .map((r) => r.trim())
          .filter(Boolean),
      ),
    HOST: z.string().min(1).default('0.0.0.0'),
    /** /healthz, /readyz and /metrics. */
    PORT: z.coerce.number().int().min(0).max(65535).default(8080),
    OPERATOR_NAMESPACE: z.string().min(1).default('mindbot-system'),
    LEADER_ELECT: envBoolean(true),
    LEASE_NAME: z.string().min(1).default('mindbot-operator'),
    LEASE_DURATION_MS: milliseconds(15_000),
    RENEW_DEADLINE_MS: milliseconds(10_000),
    RETRY_PERIOD_MS: milliseconds(2_000),
    WORKERS: z.coerce.number().int().min(1).max(64).default(4),
    RESYNC_PERIOD_MS: milliseconds(10 * 60_000),
    /** The image of the tenants' dedicated agents: the platform image, whose entry point runs the worker with `agent`. */
    AGENT_IMAGE: z.string().min(1).default('ghcr.io/mindbot/platform:0.1.0'),
    /** How long a dedicated agent lets calls run on after SIGTERM; its pod's grace period is 30 s longer. */
    AGENT_DRAIN_SECONDS: z.coerce.number().int().min(1).max(7200).default(600),
    /** The speech and language providers of every dedicated agent (as services/agent reads them). */
    AGENT_LLM: z.enum(LLM_PROVIDERS).default('none'),
    AGENT_LLM_MODEL: z.string().min(1).max(200).optional(),
    AGENT_LLM_BASE_URL: z.url({ protocol: /^https?$/, error: 'must be an http(s) URL' }).optional(),
    AGENT_STT: z.enum(STT_PROVIDERS).default('none'),
    AGENT_TTS: z.enum(TTS_PROVIDERS).default('none'),
    AGENT_VOICE_MAP: voiceMap,
    /** `<namespace>/<name>` of the Secret with the provider keys, copied into each tenant namespace like the LiveKit Secret. */
    AGENT_PROVIDER_SECRET: secretRef.optional(),
    AGENT_PROVIDER_KEYS: providerKeyNames,
    /** Where agents may reach the providers (HTTPS, and a self-hosted LLM's port). */
    AGENT_PROVIDER_CIDR: cidr.default('0.0.0.0/0'),
    /**
     * `<namespace>/<name>` of a Secret with the REDIS_URL agents report their readiness with (for a Redis
     * user limited to the agents' keys), copied into each tenant namespace; unset: agents report nothing.
     */
    AGENT_REDIS_SECRET: secretRef.optional(),
    AGENT_REDIS_KEY: z
      .string()
      .regex(/^[-._a-zA-Z0-9]+$/, 'must be a Secret key')
      .default('REDIS_URL'),
    /** Where agents may reach that Redis (on its URL's port). */
    AGENT_REDIS_CIDR: cidr.default('0.0.0.0/0'),
    PLATFORM_NAMESPACE: z.string().min(1).default('mindbot-system'),
    LIVEKIT_SECRET: secretRef.default({ namespace: 'mindbot-system', name: 'livekit' }),
    LIVEKIT_CIDR: cidr.default('0.0.0.0/0'),
    BILLING_URL: z.url().default('http://mindbot-billing.mindbot-system.svc:8080'),
    /**
     * The platform's Stripe secret key (Connect platform account), as the billing service takes it.
     * Unset: no billing step, BillingReady reports NotConfigured and Ready does not wait for it.
     */
    STRIPE_SECRET_KEY: stripeSecretKey.optional(),
    ...stripeClientEnv,
    /** How often a tenant whose Stripe account cannot sell yet is looked at again (from the recorded state, no Stripe call). */
    BILLING_RECHECK_MS: milliseconds(60_000),
    /** SSO, which mails the invitations of `spec.owners`; with SSO_SERVICE_TOKEN. Unset: owners are not invited by the operator. */
    SSO_URL: z.url().optional(),
    /** A token SSO accepts (one of its SSO_SERVICE_TOKENS). */
    SSO_SERVICE_TOKEN: z.string().min(32, 'must have at least 32 characters').optional(),
    /** How soon owners whose invitation failed (SSO unreachable) are tried again. */
    OWNERS_RETRY_MS: milliseconds(30_000),
  })
  .superRefine((env, ctx) => {
    if ((env.SSO_URL === undefined) !== (env.SSO_SERVICE_TOKEN === undefined))
      ctx.addIssue({
        code: 'custom',
        path: [env.SSO_URL ? 'SSO_SERVICE_TOKEN' : 'SSO_URL'],
        message: 'SSO_URL and SSO_SERVICE_TOKEN go together',
      });
    // A provider chosen without a Secret to take its key from: every agent would refuse to start.
    const needed = requiredProviderKeys({ llm: env.AGENT_LLM, llmBaseUrl: env.AGENT_LLM_BASE_URL, stt: env.AGENT_STT, tts: env.AGENT_TTS });
    if (needed.length > 0 && env.AGENT_PROVIDER_SECRET === undefined) {
      ctx.addIssue({
        code: 'custom',
        path: ['AGENT_PROVIDER_SECRET'],
        message: `is required: the chosen providers need ${needed.join(', ')}`,
      });
    }
  });

export type OperatorConfig = z.output<typeof operatorEnv>;

export function loadOperatorConfig(env: NodeJS.ProcessEnv = process.env): OperatorConfig {
  return loadConfig(operatorEnv, env);
}

/** What every tenant's workload is made from, as this environment sets it. */
export function workloadConfigOf(config: OperatorConfig): WorkloadConfig & { knownRegions: readonly string[] } {
  return {
    region: config.MINDBOT_REGION,
    knownRegions: config.MINDBOT_REGIONS,
    agentImage: config.AGENT_IMAGE,
    agentDrainSeconds: config.AGENT_DRAIN_SECONDS,
    agentProviders: {
      llm: config.AGENT_LLM,
      llmModel: config.AGENT_LLM_MODEL,
      llmBaseUrl: config.AGENT_LLM_BASE_URL,
      stt: config.AGENT_STT,
      tts: config.AGENT_TTS,
      voiceMap: config.AGENT_VOICE_MAP,
      secret: config.AGENT_PROVIDER_SECRET,
      keys: config.AGENT_PROVIDER_KEYS,
      cidr: config.AGENT_PROVIDER_CIDR,
    },
    agentRedis: config.AGENT_REDIS_SECRET && {
      secret: config.AGENT_REDIS_SECRET,
      key: config.AGENT_REDIS_KEY,
      cidr: config.AGENT_REDIS_CIDR,
    },
    platformNamespace: config.PLATFORM_NAMESPACE,
    defaultLivekitSecret: config.LIVEKIT_SECRET,
    livekitCidr: config.LIVEKIT_CIDR,
    billingUrl: config.BILLING_URL,
  };
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}
