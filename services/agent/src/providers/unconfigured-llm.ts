import { DEFAULT_API_CONNECT_OPTIONS, llm, shortuuid, type APIConnectOptions } from '@livekit/agents';

/** What the agent answers every turn when the deployment configures no language model. */
export const NO_LANGUAGE_MODEL_REPLY =
  'No language model is configured for this agent yet, so I can greet you but cannot hold a conversation. The platform operator can turn one on with AGENT_LLM.';

/**
 * Stands in for a language model that is not configured: every reply says so plainly, so a local
 * platform (or a deployment missing its key) is honest instead of silent.
 */
export class UnconfiguredLLM extends llm.LLM {
  label(): string {
    return 'mindbot.UnconfiguredLLM';
  }

  chat({
    chatCtx,
    toolCtx,
    connOptions,
  }: {
    chatCtx: llm.ChatContext;
    toolCtx?: llm.ToolContextLike;
    connOptions?: APIConnectOptions;
  }): llm.LLMStream {
    return new FixedReplyStream(this, {
      chatCtx,
      ...(toolCtx ? { toolCtx } : {}),
      connOptions: connOptions ?? DEFAULT_API_CONNECT_OPTIONS,
    });
  }
}

class FixedReplyStream extends llm.LLMStream {
  protected run(): Promise<void> {
    this.queue.put({ id: shortuuid(), delta: { role: 'assistant', content: NO_LANGUAGE_MODEL_REPLY } });
    return Promise.resolve();
  }
}
