import type { z } from 'zod';
import {
  jobPackagesSchema,
  jobSessionStateSchema,
  jobSessionSummarySchema,
  sessionEventsAppendedSchema,
  type JobPackages,
  type JobSessionState,
  type JobSessionSummary,
  type SessionEndReason,
  type SessionEventInput,
} from '@mindbot/sdk/agent-job';
import { purchaseSchema, type Purchase } from '@mindbot/sdk/schemas';
import { safeJson } from '../safe-json.js';

/** Billing answered, but not with what the call needed: the status and problem code say why. */
export class BillingJobError extends Error {
  constructor(
    readonly status: number,
    readonly code: string | undefined,
    readonly detail: string | undefined,
  ) {
    super(`billing answered ${status}${code ? ` (${code})` : ''}`);
    this.name = 'BillingJobError';
  }
}

/**
 * Billing's job API for one voice session, with that session's own credential: it reaches this
 * session of this tenant and nothing else (docs/adr/0050-agent-job-credentials.md).
 */
export class BillingJobClient {
  private readonly base: URL;

  constructor(
    billingUrl: string,
    private readonly job: { tenant: string; sessionId: string; jobToken: string },
    private readonly timeoutMs = 5_000,
  ) {
    this.base = new URL(`/internal/v1/tenants/${encodeURIComponent(job.tenant)}/sessions/${encodeURIComponent(job.sessionId)}`, billingUrl);
  }

  heartbeat(elapsedSeconds: number): Promise<JobSessionState> {
    return this.call('POST', '/heartbeat', jobSessionStateSchema, { elapsedSeconds });
  }

  end(elapsedSeconds: number, reason: SessionEndReason): Promise<JobSessionState> {
    return this.call('POST', '/end', jobSessionStateSchema, { elapsedSeconds, reason });
  }

  summary(): Promise<JobSessionSummary> {
    return this.call('GET', '', jobSessionSummarySchema);
  }

  packages(): Promise<JobPackages> {
    return this.call('GET', '/packages', jobPackagesSchema);
  }

  purchase(packageId: string): Promise<Purchase> {
    return this.call('POST', '/purchases', purchaseSchema, { packageId });
  }

  appendEvents(events: SessionEventInput[]): Promise<z.output<typeof sessionEventsAppendedSchema>> {
    return this.call('POST', '/events', sessionEventsAppendedSchema, { events });
  }

  private async call<S extends z.ZodType>(method: 'GET' | 'POST', path: string, schema: S, body?: object): Promise<z.output<S>> {
    const response = await fetch(new URL(`${this.base.pathname}${path}`, this.base), {
      method,
      headers: { authorization: `Bearer ${this.job.jobToken}`, ...(body ? { 'content-type': 'application/json' } : {}) },
      ...(body ? { body: JSON.stringify(body) } : {}),
      signal: AbortSignal.timeout(this.timeoutMs),
    });
    const text = await response.text();
    const parsed: unknown = text ? safeJson(text) : undefined;
    if (!response.ok) {
      const problem = parsed as { code?: unknown; detail?: unknown } | undefined;
      throw new BillingJobError(
        response.status,
        typeof problem?.code === 'string' ? problem.code : undefined,
        typeof problem?.detail === 'string' ? problem.detail : undefined,
      );
    }
    return schema.parse(parsed);
  }
}
