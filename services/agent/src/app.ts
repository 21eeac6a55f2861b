import type { Express } from 'express';
import { createHttpApp } from '@mindbot/http';
import type { AgentDeps } from './deps.js';

const notConfigured = (variable: string) => () => Promise.reject(new Error(`${variable} is not configured`));

/** The worker's health, readiness and metrics: it serves no API of its own (calls come through LiveKit). */
export function createApp(deps: AgentDeps): Express {
  const { missing, config } = deps;
  return createHttpApp({
    service: 'agent',
    logger: deps.logger,
    metrics: deps.metrics,
    lifecycle: deps.lifecycle,
    readiness: {
      livekit: () =>
        deps.status.registeredAs !== undefined ? Promise.resolve() : Promise.reject(new Error('not registered with LiveKit')),
      billing: async () => {
        const res = await fetch(new URL('/healthz', config.BILLING_URL), { signal: AbortSignal.timeout(1_500) });
        if (!res.ok) throw new Error(`billing answered ${res.status}`);
      },
      ...(missing.includes('llm') ? { llm: notConfigured('AGENT_LLM') } : {}),
      ...(missing.includes('stt') ? { stt: notConfigured('AGENT_STT') } : {}),
      ...(missing.includes('tts') ? { tts: notConfigured('AGENT_TTS') } : {}),
    },
    routes: () => undefined,
  });
}
