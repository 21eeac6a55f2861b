import { z } from 'zod';
import { AppError } from '@mindbot/errors';
import { jobSessionStateSchema, startedSessionSchema, type JobSessionState, type StartedSession } from '@mindbot/sdk/agent-job';

// Billing's own answer shapes (@mindbot/sdk/agent-job), not a copy of them.
export type BillingSession = JobSessionState;
export type StartedBillingSession = StartedSession;

/** Billing's 429 when the tenant's plan allows no more sessions at once. */
const sessionLimitProblem = z.object({ reason: z.literal('concurrent_sessions'), concurrentSessions: z.int() }).loose();

export type StartOutcome =
  | { ok: true; session: StartedBillingSession }
  | { ok: false; reason: 'no_minutes' }
  | { ok: false; reason: 'concurrent_sessions'; concurrentSessions: number };

/**
 * Billing's internal session API (docs/api/billing.md): start reserves time or answers 402 (no
 * minutes) or 429 (the tenant's plan runs as many sessions as it may), end
 * settles to the second (idempotent). The gateway authenticates with its service credential.
 */
export class BillingClient {
  constructor(
    private readonly baseUrl: URL,
    private readonly serviceToken: string,
    private readonly timeoutMs = 5_000,
  ) {}

  async start(
    tenant: string,
    input: { userId: string; startKey: string; persona?: string },
    headers: Record<string, string>,
  ): Promise<StartOutcome> {
    const res = await this.post(`/internal/v1/tenants/${encodeURIComponent(tenant)}/sessions`, input, headers);
    if (res.status === 402) return { ok: false, reason: 'no_minutes' };
    const limited = res.status === 429 ? sessionLimitProblem.safeParse(res.body) : undefined;
    if (limited?.success) return { ok: false, reason: 'concurrent_sessions', concurrentSessions: limited.data.concurrentSessions };
    if (res.status === 409) throw new AppError('conflict', 'This startKey already started a session for another user.');
    if (res.status !== 201 && res.status !== 200) throw this.unexpected(res.status);
    return { ok: true, session: startedSessionSchema.parse(res.body) };
  }

  async end(
    tenant: string,
    sessionId: string,
    input: { elapsedSeconds: number; reason: 'user_hangup' | 'agent_ended' | 'balance_exhausted' | 'error' },
    headers: Record<string, string>,
  ): Promise<BillingSession | undefined> {
    const res = await this.post(
      `/internal/v1/tenants/${encodeURIComponent(tenant)}/sessions/${encodeURIComponent(sessionId)}/end`,
      input,
      headers,
    );
    if (res.status === 404) return undefined;
    if (res.status !== 200) throw this.unexpected(res.status);
    return jobSessionStateSchema.parse(res.body);
  }

  private async post(path: string, body: object, headers: Record<string, string>): Promise<{ status: number; body: unknown }> {
    let response: Response;
    try {
      response = await fetch(new URL(path, this.baseUrl), {
        method: 'POST',
        headers: { ...headers, 'content-type': 'application/json', authorization: `Bearer ${this.serviceToken}` },
        body: JSON.stringify(body),
        signal: AbortSignal.timeout(this.timeoutMs),
      });
    } catch (error) {
      throw new AppError('unavailable', 'Billing could not be reached; nothing was started. Try again.', {
        headers: { 'Retry-After': '5' },
        cause: error,
      });
    }
    const text = await response.text();
    let parsed: unknown;
    try {
      parsed = text ? JSON.parse(text) : undefined;
    } catch {
      parsed = undefined;
    }
    return { status: response.status, body: parsed };
  }

  private unexpected(status: number): AppError {
    return new AppError('unavailable', 'Billing answered unexpectedly; nothing was started. Try again.', {
      headers: { 'Retry-After': '5' },
      cause: new Error(`billing answered ${status}`),
    });
  }
}
