import { z } from 'zod';
import { commonEnv, loadConfig } from '@mindbot/config';
import { dedicatedAgentName, VOICES } from '@mindbot/tenancy';
import { safeJson } from './safe-json.js';

const optionalSecret = z.string().min(1).optional();
const voiceMap = z
  .string()
  .optional()
  .transform((text, ctx): Partial<Record<(typeof VOICES)[number], string>> => {
    if (text === undefined || text.trim() === '') return {};
    try {
      return z.partialRecord(z.enum(VOICES), z.string().min(1).max(200)).parse(JSON.parse(text));
    } catch {
      ctx.addIssue({ code: 'custom', message: `must be a JSON object from persona voices (${VOICES.join(', ')}) to provider voice ids` });
      return z.NEVER;
    }
  });

const agentEnv = z
  .object({
    ...commonEnv,
    /** The worker's own health, readiness and metrics endpoints. */
    HOST: z.string().min(1).default('127.0.0.1'),
    PORT: z.coerce.number().int().min(0).max(65535).default(8090),
    /** The LiveKit server the worker registers with (its API key and secret, never a user's token). */
    LIVEKIT_URL: z.url({ protocol: /^(wss?|https?)$/, error: 'must be a ws(s):// or http(s):// URL' }),
    LIVEKIT_API_KEY: z.string().min(1),
    LIVEKIT_API_SECRET: z.string().min(32, 'must have at least 32 characters'),
    /** Where the worker reports whether it can take calls (the gateway refuses sessions no ready worker could answer); unset: no report. */
    REDIS_URL: z.url({ protocol: /^rediss?$/, error: 'must be a redis:// URL' }).optional(),
    /** Billing's base URL; the worker calls only its job routes, with each job's own credential. */
    BILLING_URL: z.url({ protocol: /^https?$/ }),
    /**
     * A tenant's dedicated worker serves only that tenant (`tenant-<slug>` is its agent name); unset,
     * the worker belongs to the region's shared pool (AGENT_POOL_NAME) and serves whichever tenant
     * the gateway dispatches to it, each job with that job's own credential.
     */
    AGENT_TENANT: z
      .string()
      .regex(/^[a-z]([a-z0-9-]*[a-z0-9])?$/, 'must be a tenant slug')
      .optional(),
    AGENT_POOL_NAME: z
      .string()
      .regex(/^[a-z0-9-]{1,60}$/, 'must be lower-case letters, digits and -')
      .default('mindbot-shared'),
    /** Seconds between heartbeats to billing while the user is in the room. */
    AGENT_HEARTBEAT_SECONDS: z.coerce.number().int().min(1).max(60).default(5),
    /** How long a draining worker lets calls run on before ending them (keep the pod's grace period longer). */
    AGENT_DRAIN_SECONDS: z.coerce.number().int().min(1).max(7200).default(600),
    /** Job processes kept warm; 0 starts one per job. */
    AGENT_IDLE_PROCESSES: z.coerce.number().int().min(0).max(16).default(1),
    /** Calls one worker takes at most (its load is then calls ÷ this); 0: the load is the CPU's. */
    AGENT_MAX_CALLS: z.coerce.number().int().min(0).max(1000).default(0),
    /** The worker stops taking jobs above this load (0–1). */
    AGENT_LOAD_THRESHOLD: z.coerce.number().min(0.05).max(1).default(0.75),
    /** Speech-to-text: none (text chat only), openai (or a compatible server), deepgram, or scripted (@livekit/agents' fake STT: tests). */
    AGENT_STT: z.enum(['none', 'openai', 'deepgram', 'scripted']).default('none'),
    /** For AGENT_STT=scripted: JSON [{ "startTime", "endTime", "sttDelay" (ms after the first audio frame), "transcript" }]. */
    AGENT_STT_SCRIPT: z
      .string()
      .default('[]')
      .transform((text, ctx) => {
        const parsed = z
          .array(
            z.object({ startTime: z.number().min(0), endTime: z.number().min(0), sttDelay: z.number().min(0), transcript: z.string() }),
          )
          .safeParse(safeJson(text));
        if (parsed.success) return parsed.data;
        ctx.addIssue({ code: 'custom', message: 'must be a JSON array of { startTime, endTime, sttDelay, transcript }' });
        return z.NEVER;
      }),
    /**
     * Language model: none (the agent says plainly that none is configured), any OpenAI-compatible
     * server, or scripted (@livekit/agents' own fake LLM replaying AGENT_LLM_SCRIPT: tests and demos).
     */
    AGENT_LLM: z.enum(['none', 'openai', 'scripted']).default('none'),
    /** For AGENT_LLM=scripted: JSON [{ "input": "user text", "content"?: "reply", "toolCalls"?: [{ "name", "args" }] }]. */
    AGENT_LLM_SCRIPT: z
      .string()
      .default('[]')
      .transform((text, ctx) => {
        const parsed = z
          .array(
            z.object({
              input: z.string(),
              content: z.string().optional(),
              toolCalls: z.array(z.object({ name: z.string(), args: z.record(z.string(), z.unknown()) })).optional(),
            }),
          )
          .safeParse(safeJson(text));
        if (parsed.success) return parsed.data;
        ctx.addIssue({ code: 'custom', message: 'must be a JSON array of { input, content?, toolCalls? }' });
        return z.NEVER;
      }),
    AGENT_LLM_MODEL: z.string().min(1).default('gpt-4.1-mini'),
    /** An OpenAI-compatible base URL (vLLM, Ollama, LiteLLM, Azure, …); unset: OpenAI. */
    AGENT_LLM_BASE_URL: z.url().optional(),
    /** Text-to-speech: none (text only), openai, elevenlabs, deepgram, or espeak (offline, local development only: GPL). */
    AGENT_TTS: z.enum(['none', 'openai', 'elevenlabs', 'deepgram', 'espeak']).default('none'),
    /** Persona voice → provider voice id, as JSON, e.g. {"aurora":"nova","cedar":"onyx"}. */
    AGENT_VOICE_MAP: voiceMap,
    OPENAI_API_KEY: optionalSecret,
    DEEPGRAM_API_KEY: optionalSecret,
    ELEVEN_API_KEY: optionalSecret,
  })
  .superRefine((env, ctx) => {
    // A provider chosen without its key is a deployment mistake worth stopping for; a provider not chosen is reported on /readyz instead.
    const needs: [boolean, keyof typeof env, string][] = [
      [env.AGENT_LLM === 'openai' && env.AGENT_LLM_BASE_URL === undefined, 'OPENAI_API_KEY', 'AGENT_LLM=openai'],
      [env.AGENT_STT === 'openai', 'OPENAI_API_KEY', 'AGENT_STT=openai'],
      [env.AGENT_TTS === 'openai', 'OPENAI_API_KEY', 'AGENT_TTS=openai'],
      [env.AGENT_STT === 'deepgram' || env.AGENT_TTS === 'deepgram', 'DEEPGRAM_API_KEY', 'a deepgram provider'],
      [env.AGENT_TTS === 'elevenlabs', 'ELEVEN_API_KEY', 'AGENT_TTS=elevenlabs'],
    ];
    for (const [needed, variable, why] of needs) {
      if (needed && env[variable] === undefined) ctx.addIssue({ code: 'custom', path: [variable], message: `is required with ${why}` });
    }
  });

export type AgentConfig = z.output<typeof agentEnv>;

/** The only place the agent reads the environment (the worker and each job process alike). */
export function loadAgentConfig(env: NodeJS.ProcessEnv = process.env): AgentConfig {
  return loadConfig(agentEnv, env);
}

/** The name the worker registers under: the tenant's own, or the region's shared pool. */
export function agentNameOf(config: Pick<AgentConfig, 'AGENT_TENANT' | 'AGENT_POOL_NAME'>): string {
  return config.AGENT_TENANT === undefined ? config.AGENT_POOL_NAME : dedicatedAgentName(config.AGENT_TENANT);
}
