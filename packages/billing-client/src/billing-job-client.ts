import type { z } from 'zod';
import {
  heartbeatRequestSchema,
  jobPackagesSchema,
  jobSessionStateSchema,
  jobSessionSummarySchema,
  sessionEndRequestSchema,
  sessionEventsAppendRequestSchema,
  sessionEventsAppendedSchema,
  type JobPackages,
  type JobSessionState,
  type JobSessionSummary,
  type SessionEndReason,
  type SessionEventInput,
} from '@mindbot/sdk/agent-job';
import { purchaseCreateRequestSchema, purchaseSchema, type Purchase } from '@mindbot/sdk/schemas';
import { answerOf, requestBilling } from './billing-request.js';

/** One voice session's job: the tenant, the session, and the credential billing minted for it. */
export interface BillingJob {
  tenant: string;
  sessionId: string;
  jobToken: string;
}

/**
 * Billing's job API for one voice session, with that session's own credential: it reaches this
 * session of this tenant and nothing else (docs/adr/0050-agent-job-credentials.md). An answer other
 * than success is thrown as a BillingError; an unreachable one as a BillingUnreachableError.
 */
export class BillingJobClient {
  private readonly base: URL;

  constructor(
    billingUrl: string | URL,
    private readonly job: BillingJob,
    private readonly timeoutMs = 5_000,
  ) {
    this.base = new URL(`/internal/v1/tenants/${encodeURIComponent(job.tenant)}/sessions/${encodeURIComponent(job.sessionId)}`, billingUrl);
  }

  heartbeat(elapsedSeconds: number): Promise<JobSessionState> {
    const body: z.input<typeof heartbeatRequestSchema> = { elapsedSeconds };
    return this.call('POST', '/heartbeat', jobSessionStateSchema, body);
  }

  end(elapsedSeconds: number, reason: SessionEndReason): Promise<JobSessionState> {
    const body: z.input<typeof sessionEndRequestSchema> = { elapsedSeconds, reason };
    return this.call('POST', '/end', jobSessionStateSchema, body);
  }

  summary(): Promise<JobSessionSummary> {
    return this.call('GET', '', jobSessionSummarySchema);
  }

  packages(): Promise<JobPackages> {
    return this.call('GET', '/packages', jobPackagesSchema);
  }

  purchase(packageId: string): Promise<Purchase> {
    const body: z.input<typeof purchaseCreateRequestSchema> = { packageId };
    return this.call('POST', '/purchases', purchaseSchema, body);
  }

  appendEvents(events: SessionEventInput[]): Promise<z.output<typeof sessionEventsAppendedSchema>> {
    const body: z.input<typeof sessionEventsAppendRequestSchema> = { events };
    return this.call('POST', '/events', sessionEventsAppendedSchema, body);
  }

  private async call<S extends z.ZodType>(method: 'GET' | 'POST', path: string, schema: S, body?: object): Promise<z.output<S>> {
    const answer = await requestBilling({
      method,
      url: new URL(`${this.base.pathname}${path}`, this.base),
      token: this.job.jobToken,
      ...(body ? { body } : {}),
      timeoutMs: this.timeoutMs,
    });
    return answerOf(answer, schema);
  }
}
