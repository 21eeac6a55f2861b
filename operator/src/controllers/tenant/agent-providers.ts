import type { KubeObject } from '../../runtime/kube-client.js';
import { ownedMeta, type TenantContext } from './context.js';

/** The tenant's copy of the provider keys (a pod can only read its own namespace's Secrets). */
export const PROVIDER_SECRET = 'agent-providers';
/** The provider keys the worker reads (services/agent/src/config.ts), named as in the tenant copy. */
export const PROVIDER_KEYS = ['OPENAI_API_KEY', 'DEEPGRAM_API_KEY', 'ELEVEN_API_KEY'] as const;
export type ProviderKey = (typeof PROVIDER_KEYS)[number];

// What a deployed worker may use. The worker also knows `scripted` (tests and demos) and `espeak`
// (an offline voice that is a development dependency, absent from the image).
export const LLM_PROVIDERS = ['none', 'openai'] as const;
export const STT_PROVIDERS = ['none', 'openai', 'deepgram'] as const;
export const TTS_PROVIDERS = ['none', 'openai', 'elevenlabs', 'deepgram'] as const;

/** The speech and language providers every dedicated agent of this region runs with. */
export interface AgentProviders {
  llm: (typeof LLM_PROVIDERS)[number];
  /** AGENT_LLM_MODEL; undefined: the worker's default. */
  llmModel?: string | undefined;
  /** An OpenAI-compatible server (vLLM, Ollama, LiteLLM, …); undefined: OpenAI. */
  llmBaseUrl?: string | undefined;
  stt: (typeof STT_PROVIDERS)[number];
  tts: (typeof TTS_PROVIDERS)[number];
  /** AGENT_VOICE_MAP as JSON (persona voice → provider voice id); undefined: the worker's defaults. */
  voiceMap?: string | undefined;
  /** The Secret holding the keys, copied into each tenant namespace; undefined: no keys are handed out. */
  secret?: { namespace: string; name: string } | undefined;
  /** The key in that Secret of each variable. */
  keys: Record<ProviderKey, string>;
  /** Where agents may reach the providers: HTTPS, and a self-hosted LLM's own port. */
  cidr: string;
}

/** The keys the chosen providers cannot run without (the worker refuses to start without them). */
export function requiredProviderKeys(providers: Pick<AgentProviders, 'llm' | 'llmBaseUrl' | 'stt' | 'tts'>): ProviderKey[] {
  const needed = new Set<ProviderKey>();
  const { llm, llmBaseUrl, stt, tts } = providers;
  if ((llm === 'openai' && llmBaseUrl === undefined) || stt === 'openai' || tts === 'openai') needed.add('OPENAI_API_KEY');
  if (stt === 'deepgram' || tts === 'deepgram') needed.add('DEEPGRAM_API_KEY');
  if (tts === 'elevenlabs') needed.add('ELEVEN_API_KEY');
  return PROVIDER_KEYS.filter((key) => needed.has(key));
}

/** The worker's provider settings as plain env (never a key): each one stated, or left to the worker's default. */
export function providerSettingsEnv(providers: AgentProviders): { name: string; value: string }[] {
  const optional = (name: string, value: string | undefined) => (value === undefined ? [] : [{ name, value }]);
  return [
    { name: 'AGENT_LLM', value: providers.llm },
    ...optional('AGENT_LLM_MODEL', providers.llmModel),
    ...optional('AGENT_LLM_BASE_URL', providers.llmBaseUrl),
    { name: 'AGENT_STT', value: providers.stt },
    { name: 'AGENT_TTS', value: providers.tts },
    ...optional('AGENT_VOICE_MAP', providers.voiceMap),
  ];
}

/**
 * The keys as env from the tenant copy, each optional: the copy holds only the keys the referenced
 * Secret has, and the ones the chosen providers need are checked before anything is applied.
 */
export function providerKeysEnv(ctx: TenantContext) {
  if (ctx.config.agentProviders.secret === undefined) return [];
  return PROVIDER_KEYS.map((key) => ({ name: key, valueFrom: { secretKeyRef: { name: PROVIDER_SECRET, key, optional: true } } }));
}

/** The referenced provider keys, copied into the tenant's namespace; none when the operator names no provider Secret. */
export function desiredProviderSecret(ctx: TenantContext): KubeObject | undefined {
  if (ctx.config.agentProviders.secret === undefined) return undefined;
  return {
    apiVersion: 'v1',
    kind: 'Secret',
    metadata: ownedMeta(ctx, PROVIDER_SECRET),
    type: 'Opaque',
    data: { ...ctx.providerKeys },
  };
}

/** TCP ports agents may open on the provider CIDR: HTTPS, and the port of a self-hosted LLM's base URL. */
export function providerPorts(providers: Pick<AgentProviders, 'llmBaseUrl'>): number[] {
  const ports = new Set([443]);
  if (providers.llmBaseUrl !== undefined) {
    const url = new URL(providers.llmBaseUrl);
    ports.add(url.port === '' ? (url.protocol === 'http:' ? 80 : 443) : Number(url.port));
  }
  return [...ports].sort((a, b) => a - b);
}
