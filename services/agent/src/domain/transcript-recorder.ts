import { voice } from '@livekit/agents';
import type { SessionEventInput } from '@mindbot/sdk/agent-job';
import type { Logger } from '@mindbot/logger';
import type { BillingJobClient } from '@mindbot/billing-client';

const FLUSH_INTERVAL_MS = 2_000;
const MAX_TEXT = 8_000;

/**
 * Keeps what a call said and did: each user and agent turn and each tool call, in order, appended
 * to the session's transcript in billing every couple of seconds and once more at the end. When
 * the tenant keeps no transcripts, billing says so and the recorder stops sending.
 */
export class TranscriptRecorder {
  private readonly pending: SessionEventInput[] = [];
  private seq = 0;
  private kept = true;
  private timer: NodeJS.Timeout | undefined;
  private flushing: Promise<void> = Promise.resolve();

  constructor(
    private readonly billing: BillingJobClient,
    private readonly logger: Logger,
  ) {}

  attach(session: voice.AgentSession): void {
    session.on(voice.AgentSessionEventTypes.ConversationItemAdded, ({ item }) => {
      if (item.type !== 'message' || (item.role !== 'user' && item.role !== 'assistant')) return;
      const text = item.textContent;
      if (text) this.add({ kind: item.role === 'user' ? 'user' : 'agent', text });
    });
    session.on(voice.AgentSessionEventTypes.FunctionToolsExecuted, ({ functionCalls, functionCallOutputs }) => {
      functionCalls.forEach((call, i) => {
        this.add({ kind: 'tool', toolName: call.name, toolArguments: argumentsOf(call.args), text: functionCallOutputs[i]?.output ?? '' });
      });
    });
    this.timer = setInterval(() => void this.flush(), FLUSH_INTERVAL_MS);
    this.timer.unref();
  }

  /** Sends what is pending; concurrent calls queue, so events arrive in order. */
  flush(): Promise<void> {
    this.flushing = this.flushing.then(() => this.send());
    return this.flushing;
  }

  async close(): Promise<void> {
    clearInterval(this.timer);
    await this.flush();
  }

  private add(event: { kind: SessionEventInput['kind']; text: string; toolName?: string; toolArguments?: Record<string, unknown> }): void {
    if (!this.kept) return;
    this.pending.push({ ...event, text: event.text.slice(0, MAX_TEXT), seq: this.seq++, at: new Date().toISOString() });
  }

  private async send(): Promise<void> {
    if (!this.kept || this.pending.length === 0) return;
    const batch = this.pending.slice(0, 200);
    try {
      const answer = await this.billing.appendEvents(batch);
      this.pending.splice(0, batch.length);
      if (!answer.kept) {
        this.kept = false;
        this.pending.length = 0;
      }
    } catch (error) {
      // Kept for the next flush; seq makes the retry harmless.
      this.logger.warn({ err: error, pending: this.pending.length }, 'could not store the transcript yet');
    }
  }
}

function argumentsOf(json: string): Record<string, unknown> {
  try {
    const parsed: unknown = JSON.parse(json);
    return parsed !== null && typeof parsed === 'object' && !Array.isArray(parsed) ? (parsed as Record<string, unknown>) : {};
  } catch {
    return {};
  }
}
