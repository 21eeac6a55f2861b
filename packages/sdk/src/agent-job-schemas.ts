import { z } from 'zod';
import { balanceSchema, packageSchema } from './billing-schemas.js';
import { isoDate } from './common-schemas.js';

// Billing's job API: what the voice agent calls for one session with that session's job token
// (docs/adr/0050-agent-job-credentials.md), under /internal/v1/tenants/:tenant/sessions/:id. Billing
// validates with these schemas and the agent parses billing's answers with them, so both sides
// share one definition.

export const sessionActionSchema = z.enum(['continue', 'warn', 'stop']);

/** A session as metering sees it; heartbeats and ends answer it, with what the agent should do next. */
export const jobSessionStateSchema = z
  .object({
    sessionId: z.string(),
    userId: z.string(),
    status: z.enum(['active', 'ended']),
    settledSeconds: z.int(),
    chargedSeconds: z.int(),
    remainingSeconds: z.int(),
    action: sessionActionSchema,
    startedAt: isoDate,
    endedAt: isoDate.nullable(),
    endReason: z.string().nullable(),
  })
  .loose();

/** POST …/tenants/:tenant/sessions — the gateway starts a session for a user; `startKey` makes a retried start answer the same session. */
export const sessionStartRequestSchema = z
  .object({
    userId: z.string().regex(/^[A-Za-z0-9_.:@-]{1,100}$/, 'must be a user id'),
    startKey: z.string().regex(/^[A-Za-z0-9_.:-]{8,100}$/, 'must be 8–100 characters of letters, digits and _ . : -'),
    /** The persona the user chose (the gateway checked that the tenant offers it). */
    persona: z
      .string()
      .regex(/^[a-z][a-z0-9-]{0,39}$/, 'must be a persona id')
      .optional(),
  })
  .strict();

/** Billing's answer to a session start (the gateway's call): the session, the agent's credential for it, and whether it is the user's first call. */
export const startedSessionSchema = jobSessionStateSchema.extend({ jobToken: z.string(), firstSession: z.boolean() });

export const heartbeatRequestSchema = z.object({ elapsedSeconds: z.int().min(0).max(86_400, 'must be at most 86400 (one day)') }).strict();

export const sessionEndReasonSchema = z.enum(['user_hangup', 'agent_ended', 'balance_exhausted', 'error']);
export const sessionEndRequestSchema = z
  .object({
    elapsedSeconds: z.int().min(0).max(86_400, 'must be at most 86400 (one day)'),
    reason: sessionEndReasonSchema.default('user_hangup'),
  })
  .strict();

/** GET …/sessions/:id — the session, the user's balance and the tenant's currency, for the agent's tools. */
export const jobSessionSummarySchema = z.object({ session: jobSessionStateSchema, balance: balanceSchema, currency: z.string() }).loose();

/** GET …/sessions/:id/packages — what this tenant sells, in its currency. */
export const jobPackagesSchema = z.object({ packages: z.array(packageSchema), currency: z.string() }).loose();

export const sessionEventSchema = z
  .object({
    seq: z.int().min(0).max(1_000_000),
    kind: z.enum(['user', 'agent', 'tool']),
    text: z.string().max(8_000),
    toolName: z
      .string()
      .regex(/^[a-z_]{1,64}$/, 'must be a tool name')
      .optional(),
    toolArguments: z.record(z.string(), z.unknown()).optional(),
    at: z.iso.datetime({ offset: true }),
  })
  .strict();

/** POST …/sessions/:id/events — the agent appends what was said and done; `kept` is false when the tenant keeps no transcripts. */
export const sessionEventsAppendRequestSchema = z.object({ events: z.array(sessionEventSchema).min(1).max(200) }).strict();
export const sessionEventsAppendedSchema = z.object({ stored: z.int(), kept: z.boolean() });

export type JobSessionState = z.output<typeof jobSessionStateSchema>;
export type StartedSession = z.output<typeof startedSessionSchema>;
export type SessionStartRequest = z.input<typeof sessionStartRequestSchema>;
export type JobSessionSummary = z.output<typeof jobSessionSummarySchema>;
export type JobPackages = z.output<typeof jobPackagesSchema>;
export type SessionEventInput = z.input<typeof sessionEventSchema>;
export type SessionEndReason = z.output<typeof sessionEndReasonSchema>;

/**
 * What the gateway writes into an agent dispatch (LiveKit's server API; only the dispatched worker
 * reads it): who the call is for, the persona to play, and the job's own billing credential.
 */
export const agentDispatchSchema = z
  .object({
    tenant: z.string().regex(/^[a-z]([a-z0-9-]*[a-z0-9])?$/),
    tenantName: z.string().min(1),
    userId: z.string().min(1),
    sessionId: z.string().regex(/^vs_[0-9a-z]{26}$/),
    startedAt: z.iso.datetime({ offset: true }),
    jobToken: z.string().regex(/^mbj_[A-Za-z0-9_-]{43}$/),
    persona: z
      .object({
        id: z.string(),
        name: z.string(),
        voice: z.string(),
        language: z.string(),
        instructions: z.string(),
        greeting: z.string(),
      })
      .strict(),
    /** The user's first call with this tenant: greet with this instead of the persona's greeting. */
    onboardingGreeting: z.string().optional(),
  })
  .strict();

export type AgentDispatch = z.output<typeof agentDispatchSchema>;

/** Text-stream topic on which the agent sends a checkout link to the user's client (JSON: {@link checkoutOfferSchema}). */
export const CHECKOUT_TOPIC = 'mindbot.checkout';
/** Text-stream topic on which the agent tells the client why the call ends (JSON: {@link callNoticeSchema}). */
export const CALL_NOTICE_TOPIC = 'mindbot.call';

export const checkoutOfferSchema = z.object({
  type: z.literal('checkout'),
  purchaseId: z.string(),
  packageName: z.string(),
  amountCents: z.int(),
  currency: z.string(),
  checkoutUrl: z.string(),
});
export const callNoticeSchema = z.object({
  type: z.enum(['low_balance', 'balance_exhausted', 'no_language_model', 'billing_unreachable']),
  remainingSeconds: z.int().optional(),
  message: z.string(),
});
export type CheckoutOffer = z.output<typeof checkoutOfferSchema>;
export type CallNotice = z.output<typeof callNoticeSchema>;
