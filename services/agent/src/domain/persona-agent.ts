import { voice } from '@livekit/agents';
import type { Persona } from '@mindbot/tenancy';
import { NO_LANGUAGE_MODEL_REPLY } from '../providers/unconfigured-llm.js';
import type { createCallTools } from './call-tools.js';

/** The platform's rules, after the tenant's own instructions: they hold whatever the persona says. */
function instructionsFor(persona: Persona, tenantName: string): string {
  return [
    persona.instructions,
    '',
    `You are ${persona.name}, the voice assistant of ${tenantName}. Speak ${persona.language}. Keep answers short: this is a spoken conversation.`,
    'Answer questions about talk time, prices and this call only with your tools, never from memory.',
    'To buy talk time, use start_purchase: the payment page appears on the user’s screen. Never read out links and never ask for card details.',
    'If a tool fails, tell the user plainly what happened and what they can do.',
  ].join('\n');
}

/**
 * The tenant's agent in one call: the persona's instructions and tools, and the greeting said as
 * written (the tenant's words, not the model's) when the call starts.
 */
export class PersonaAgent extends voice.Agent {
  constructor(
    private readonly call: {
      persona: Persona;
      tenantName: string;
      /** The persona's greeting, or the tenant's onboarding greeting in a user's first call. */
      greeting: string;
      /** False when no language model is configured: the agent says so after greeting. */
      conversational: boolean;
      tools: ReturnType<typeof createCallTools>;
    },
  ) {
    super({ instructions: instructionsFor(call.persona, call.tenantName), tools: call.tools });
  }

  private greetedResolve: () => void = () => undefined;
  /** Settles once the greeting (and, without a language model, the notice after it) has been played out. */
  readonly greeted = new Promise<void>((resolve) => {
    this.greetedResolve = resolve;
  });

  override onEnter(): Promise<void> {
    const greeting = this.session.say(this.call.greeting, { allowInterruptions: false });
    const last = this.call.conversational ? greeting : this.session.say(NO_LANGUAGE_MODEL_REPLY, { allowInterruptions: false });
    void last.waitForPlayout().then(
      () => this.greetedResolve(),
      () => this.greetedResolve(),
    );
    return Promise.resolve();
  }
}
