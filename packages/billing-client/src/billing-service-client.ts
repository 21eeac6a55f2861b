import { z } from 'zod';
import {
  jobSessionStateSchema,
  sessionEndRequestSchema,
  startedSessionSchema,
  type JobSessionState,
  type SessionStartRequest,
  type StartedSession,
} from '@mindbot/sdk/agent-job';
import { answerOf, requestBilling, type BillingAnswer } from './billing-request.js';

/** What billing's end validates (its `sessionEndRequestSchema`); `reason` defaults to user_hangup. */
export type SessionEndRequest = z.input<typeof sessionEndRequestSchema>;

/** Billing's 429 when the tenant's plan allows no more sessions at once. */
const sessionLimitProblemSchema = z.object({ reason: z.literal('concurrent_sessions'), concurrentSessions: z.int() }).loose();

/** Billing's answer to a start: the session, or why billing refused one (its 402, 429 and 409). */
export type SessionStartAnswer =
  | { ok: true; value: StartedSession }
  | { ok: false; failure: 'no_minutes' }
  | { ok: false; failure: 'concurrent_sessions'; concurrentSessions: number }
  | { ok: false; failure: 'start_key_conflict' };

/**
 * Billing's session API as the gateway calls it, with its service credential (docs/api/billing.md):
 * start reserves time or says why not, end settles to the second (idempotent). Billing's other
 * answers are thrown as a BillingError; an unreachable one as a BillingUnreachableError.
 */
export class BillingServiceClient {
  constructor(
    private readonly baseUrl: URL,
    private readonly serviceToken: string,
    private readonly timeoutMs = 5_000,
  ) {}

  async startSession(tenant: string, input: SessionStartRequest, headers: Record<string, string> = {}): Promise<SessionStartAnswer> {
    const answer = await this.post(`/internal/v1/tenants/${encodeURIComponent(tenant)}/sessions`, input, headers);
    if (answer.status === 402) return { ok: false, failure: 'no_minutes' };
    const limited = answer.status === 429 ? sessionLimitProblemSchema.safeParse(answer.body) : undefined;
    if (limited?.success) return { ok: false, failure: 'concurrent_sessions', concurrentSessions: limited.data.concurrentSessions };
    if (answer.status === 409) return { ok: false, failure: 'start_key_conflict' };
    return { ok: true, value: answerOf(answer, startedSessionSchema) };
  }

  /** The settled session, or undefined when the tenant has no such session. */
  async endSession(
    tenant: string,
    sessionId: string,
    input: SessionEndRequest,
    headers: Record<string, string> = {},
  ): Promise<JobSessionState | undefined> {
    const path = `/internal/v1/tenants/${encodeURIComponent(tenant)}/sessions/${encodeURIComponent(sessionId)}/end`;
    const answer = await this.post(path, input, headers);
    if (answer.status === 404) return undefined;
    return answerOf(answer, jobSessionStateSchema);
  }

  private post(path: string, body: object, headers: Record<string, string>): Promise<BillingAnswer> {
    return requestBilling({
      method: 'POST',
      url: new URL(path, this.baseUrl),
      token: this.serviceToken,
      body,
      headers,
      timeoutMs: this.timeoutMs,
    });
  }
}
