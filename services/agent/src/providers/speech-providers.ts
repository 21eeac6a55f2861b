import type { llm as llmTypes, stt as sttTypes, tts as ttsTypes } from '@livekit/agents';
import { inference, stt, voice } from '@livekit/agents';
import * as deepgram from '@livekit/agents-plugin-deepgram';
import * as elevenlabs from '@livekit/agents-plugin-elevenlabs';
import * as openai from '@livekit/agents-plugin-openai';
import type { Persona } from '@mindbot/tenancy';
import type { AgentConfig } from '../config.js';
import { EspeakTTS } from './espeak-tts.js';
import { UnconfiguredLLM } from './unconfigured-llm.js';

/** Persona voices as each provider's voices, unless AGENT_VOICE_MAP says otherwise. */
const DEFAULT_VOICES: Record<'openai' | 'elevenlabs' | 'deepgram', Record<string, string>> = {
  openai: { aurora: 'nova', breeze: 'shimmer', cedar: 'onyx', dune: 'echo', ember: 'coral', fjord: 'fable' },
  // ElevenLabs' premade voices (Rachel, Bella, Adam, Josh, Elli, Antoni).
  elevenlabs: {
    aurora: '21m00Tcm4TlvDq8ikWAM',
    breeze: 'EXAVITQu4vr4xnSDxMaL',
    cedar: 'pNInz6obpgDQGcFmaJgB',
    dune: 'TxGEqnHWrfWFTfGW9XjX',
    ember: 'MF3mGyEYCl7XmULwF2Pc',
    fjord: 'ErXwobaYiR6tQkgKvFb8',
  },
  deepgram: {
    aurora: 'aura-2-thalia-en',
    breeze: 'aura-2-luna-en',
    cedar: 'aura-2-orion-en',
    dune: 'aura-2-arcas-en',
    ember: 'aura-2-asteria-en',
    fjord: 'aura-2-zeus-en',
  },
};

export interface CallSpeech {
  stt: sttTypes.STT | undefined;
  llm: llmTypes.LLM;
  tts: ttsTypes.TTS | undefined;
  /** Whether a real language model answers (else the agent says plainly that none is configured). */
  conversational: boolean;
}

/** What this deployment lacks for a full voice conversation, as /readyz and the start-up log report it. */
export function missingProviders(config: AgentConfig): string[] {
  const missing: string[] = [];
  if (config.AGENT_LLM === 'none') missing.push('llm');
  if (config.AGENT_STT === 'none') missing.push('stt');
  if (config.AGENT_TTS === 'none') missing.push('tts');
  return missing;
}

/** The speech and language providers of one call, in the persona's voice and language. */
export function speechFor(config: AgentConfig, persona: Persona): CallSpeech {
  const providerVoice = (provider: keyof typeof DEFAULT_VOICES) =>
    config.AGENT_VOICE_MAP[persona.voice as keyof AgentConfig['AGENT_VOICE_MAP']] ??
    DEFAULT_VOICES[provider][persona.voice] ??
    Object.values(DEFAULT_VOICES[provider])[0];
  const languageModel =
    config.AGENT_LLM === 'openai'
      ? new openai.LLM({
          model: config.AGENT_LLM_MODEL,
          apiKey: config.OPENAI_API_KEY ?? 'not-needed',
          ...(config.AGENT_LLM_BASE_URL ? { baseURL: config.AGENT_LLM_BASE_URL } : {}),
        })
      : config.AGENT_LLM === 'scripted'
        ? new voice.testing.FakeLLM(config.AGENT_LLM_SCRIPT)
        : new UnconfiguredLLM();
  return {
    conversational: config.AGENT_LLM !== 'none',
    llm: languageModel,
    stt: sttFor(config, persona.language),
    tts: ttsFor(config, persona, providerVoice),
  };
}

function sttFor(config: AgentConfig, language: string): sttTypes.STT | undefined {
  switch (config.AGENT_STT) {
    case 'none':
      return undefined;
    case 'openai':
      return new openai.STT({ apiKey: config.OPENAI_API_KEY, language: language.slice(0, 2) });
    case 'deepgram':
      return new deepgram.STT({ apiKey: config.DEEPGRAM_API_KEY, language });
    case 'scripted':
      // Transcribes on schedule once the first audio frame arrives: proof that the user's audio reaches speech-to-text.
      return new stt.testing.FakeSTT({ fakeUserSpeeches: config.AGENT_STT_SCRIPT });
  }
}

function ttsFor(
  config: AgentConfig,
  persona: Persona,
  voiceOf: (provider: keyof typeof DEFAULT_VOICES) => string | undefined,
): ttsTypes.TTS | undefined {
  switch (config.AGENT_TTS) {
    case 'none':
      return undefined;
    case 'espeak':
      return new EspeakTTS({ language: persona.language, personaVoice: persona.voice });
    case 'openai':
      return new openai.TTS({ apiKey: config.OPENAI_API_KEY, voice: voiceOf('openai') as openai.TTSVoices });
    case 'elevenlabs':
      return new elevenlabs.TTS({ apiKey: config.ELEVEN_API_KEY, voiceId: voiceOf('elevenlabs'), language: persona.language.slice(0, 2) });
    case 'deepgram':
      return new deepgram.TTS({ apiKey: config.DEEPGRAM_API_KEY, model: voiceOf('deepgram') });
  }
}

/** Voice activity detection for the user's audio: the local Silero model that ships with @livekit/agents (no download). */
export function voiceActivityFor(speech: CallSpeech): inference.VAD | null {
  return speech.stt === undefined ? null : new inference.VAD({ model: 'silero' });
}
