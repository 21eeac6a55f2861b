import { randomUUID } from 'node:crypto';
import { BillingError, BillingUnreachableError, type BillingServiceClient } from '@mindbot/billing-client';
import type { TenantClients } from '@mindbot/db';
import { AppError, fail, ok, type Result } from '@mindbot/errors';
import type { Logger } from '@mindbot/logger';
import type { JobSessionState } from '@mindbot/sdk/agent-job';
import { choosePersona, personasOf, roomNameOf } from '@mindbot/tenancy';
import { tenantHasUser, voiceSessionOf } from '../data/tenant-lookups.js';
import type { TenantRecord } from '@mindbot/tenant-registry';
import type { AgentAvailability } from './agent-availability.js';
import { roomMetadataSchema, safeJson, type VoiceRooms } from './voice-rooms.js';

/** What a use case carries on to billing and into its log lines: the request's trace headers and logger. */
export interface CallTrace {
  headers: Record<string, string>;
  log: Logger;
}

export interface VoiceSessionsDeps {
  tenants: TenantClients;
  billing: BillingServiceClient;
  rooms: VoiceRooms;
  /** Where clients reach LiveKit (ws/wss). */
  livekitUrl: string;
  /** Set when sessions need a worker that reports itself ready. */
  agents: AgentAvailability | undefined;
  /** This gateway's region: a room of a tenant served elsewhere is settled there, not here. */
  region: string;
  tenantBySlug(slug: string): Promise<TenantRecord | null>;
}

export interface StartVoiceSessionInput {
  tenant: TenantRecord;
  userId: string;
  /** Set when an API key starts the session on behalf of `userId`. */
  apiKey?: { environment: 'live' | 'test' } | undefined;
  persona: string | undefined;
  startKey: string | undefined;
}

export interface StartedVoiceSession {
  sessionId: string;
  room: string;
  livekitUrl: string;
  token: string;
  tokenExpiresAt: Date;
  remainingSeconds: number;
}

/** Why a session was not started; each refusal carries what the answer names. */
export type StartVoiceSessionRefusal =
  | { ok: false; failure: 'unknown_user' }
  | { ok: false; failure: 'test_key' }
  | { ok: false; failure: 'unknown_persona'; personas: string[] }
  | { ok: false; failure: 'agent_unavailable'; reason: 'no_worker' | 'not_configured'; missing: string[] }
  | { ok: false; failure: 'no_minutes' }
  | { ok: false; failure: 'concurrent_sessions'; concurrentSessions: number }
  | { ok: false; failure: 'start_key_conflict' };

export type StartVoiceSessionResult = { ok: true; value: StartedVoiceSession } | StartVoiceSessionRefusal;

/** Who ends a session: a signed-in user may end only their own; an API key any of the tenant's. */
export type SessionEnder = { kind: 'user'; userId: string } | { kind: 'api_key' };

/**
 * Voice sessions: billing reserves and settles the time, LiveKit holds the room and the tenant's
 * agent. Expected refusals are values; billing or LiveKit out of reach is an `unavailable` error
 * that says nothing was charged.
 */
export class VoiceSessions {
  constructor(private readonly deps: VoiceSessionsDeps) {}

  /**
   * Reserves time in billing (billing counts the tenant's running sessions and admits atomically,
   * so the gateway never races), creates the session's room, dispatches the agent that serves the
   * tenant (its dedicated workers or the region's shared pool) with the call's persona and the
   * job's own billing credential, and answers a token that can join only that room. When LiveKit
   * fails after billing reserved time, the session is ended at zero seconds at once.
   *
   * An API key's user must be one of the tenant's (an unknown id is `unknown_user`, not billing's
   * no_minutes), and a test key cannot spend minutes (`test_key`, after the checks that spend
   * nothing, so an integration can still try its wiring with it). docs/adr/0031-api-keys.md.
   */
  async start(input: StartVoiceSessionInput, trace: CallTrace): Promise<StartVoiceSessionResult> {
    const { tenant, userId } = input;
    if (input.apiKey) {
      if (!(await tenantHasUser(this.deps.tenants, tenant.slug, userId))) return fail('unknown_user');
      if (input.apiKey.environment === 'test') return fail('test_key');
    }
    const persona = choosePersona(tenant, input.persona);
    if (!persona) return { ok: false, failure: 'unknown_persona', personas: personasOf(tenant).map((p) => p.id) };
    const agentName = this.deps.rooms.agentNameFor(tenant.slug, tenant.limits.agentPool);
    const availability = this.deps.agents ? await this.deps.agents.check(agentName) : { ok: true as const };
    if (!availability.ok) return { ok: false, failure: 'agent_unavailable', reason: availability.reason, missing: availability.missing };

    const started = await this.deps.billing
      .startSession(tenant.slug, { userId, startKey: input.startKey ?? `gw:${randomUUID()}`, persona: persona.id }, trace.headers)
      .catch(billingUnavailable('nothing was started'));
    if (!started.ok) return started;
    const session = started.value;
    let opened: { room: string; token: string; tokenExpiresAt: Date };
    try {
      opened = await this.deps.rooms.open({
        metadata: { tenant: tenant.slug, userId, sessionId: session.sessionId, startedAt: session.startedAt },
        agentName,
        dispatch: {
          tenant: tenant.slug,
          tenantName: tenant.displayName,
          userId,
          sessionId: session.sessionId,
          startedAt: session.startedAt,
          jobToken: session.jobToken,
          persona,
          ...(session.firstSession && tenant.agent.onboardingGreeting !== undefined
            ? { onboardingGreeting: tenant.agent.onboardingGreeting }
            : {}),
        },
      });
    } catch (error) {
      trace.log.error({ err: error, sessionId: session.sessionId }, 'livekit refused the session; releasing the reservation');
      await this.deps.billing
        .endSession(tenant.slug, session.sessionId, { elapsedSeconds: 0, reason: 'error' }, trace.headers)
        .catch((cause: unknown) => {
          trace.log.error({ err: cause, sessionId: session.sessionId }, 'could not release the reservation; the sweeper will');
        });
      throw voiceUnavailable(error, 'The voice service cannot be reached right now; nothing was charged. Try again.');
    }
    return ok({
      sessionId: session.sessionId,
      room: opened.room,
      livekitUrl: this.deps.livekitUrl,
      token: opened.token,
      tokenExpiresAt: opened.tokenExpiresAt,
      remainingSeconds: session.remainingSeconds,
    });
  }

  /**
   * The user hangs up: the room is closed and billing settles to the second. Idempotent whatever
   * the timing: an end that finds the room gone (an earlier end closed it, or LiveKit did) reads
   * whose the session is from the tenant's voice sessions and still asks billing to end it, which
   * answers an ended session's final state unchanged. Another user's session is `not_found`, like
   * a missing one.
   */
  async end(tenant: string, sessionId: string, ender: SessionEnder, trace: CallTrace): Promise<Result<JobSessionState, 'not_found'>> {
    const room = roomNameOf(tenant, sessionId);
    const metadata = await this.deps.rooms.metadataOf(room).catch((error: unknown) => {
      throw voiceUnavailable(error, 'The voice service cannot be reached right now.');
    });
    const live = metadata?.tenant === tenant ? metadata : undefined;
    // No room: ended already (or closed by LiveKit); the session row says whose it is.
    const session = live ? { userId: live.userId, startedAt: Date.parse(live.startedAt) } : await this.ownerOf(tenant, sessionId);
    if (!session || (ender.kind === 'user' && session.userId !== ender.userId)) return fail('not_found');
    // Billing ignores the elapsed time of an ended session and answers its final state.
    const elapsedSeconds = Math.max(0, Math.floor((Date.now() - session.startedAt) / 1000));
    const settled = await this.deps.billing
      .endSession(tenant, sessionId, { elapsedSeconds, reason: 'user_hangup' }, trace.headers)
      .catch(billingUnavailable('nothing was started'));
    if (live)
      await this.deps.rooms
        .close(room)
        .catch((error: unknown) => trace.log.warn({ err: error, room }, 'could not close the room; it closes when empty'));
    return settled ? ok(settled) : fail('not_found');
  }

  /**
   * LiveKit's signed events (the Authorization JWT carries the body's sha256). `room_finished` of a
   * voice-session room of a tenant this region serves settles the session in billing; billing's end
   * is idempotent, so a repeated delivery or a user hang-up first changes nothing twice.
   */
  async receiveRoomEvent(
    rawBody: string,
    authorization: string | undefined,
    trace: CallTrace,
  ): Promise<Result<{ settled: boolean }, 'bad_signature'>> {
    const event = await this.deps.rooms.receive(rawBody, authorization).catch(() => undefined);
    if (!event) return fail('bad_signature');
    if (event.event !== 'room_finished' || !event.room) return ok({ settled: false });
    const metadata = roomMetadataSchema.safeParse(safeJson(event.room.metadata));
    if (!metadata.success) return ok({ settled: false });
    const tenant = await this.deps.tenantBySlug(metadata.data.tenant);
    if (!tenant?.home || tenant.region !== this.deps.region) return ok({ settled: false });
    const { sessionId, startedAt } = metadata.data;
    const elapsedSeconds = Math.max(0, Math.floor((Date.now() - Date.parse(startedAt)) / 1000));
    const result = await this.deps.billing
      .endSession(tenant.slug, sessionId, { elapsedSeconds, reason: 'user_hangup' }, trace.headers)
      .catch(billingUnavailable('nothing was started'));
    const settled = result !== undefined;
    trace.log.info({ tenantId: tenant.slug, sessionId, settled }, 'voice session room finished');
    return ok({ settled });
  }

  private async ownerOf(tenant: string, sessionId: string): Promise<{ userId: string; startedAt: number } | undefined> {
    const session = await voiceSessionOf(this.deps.tenants, tenant, sessionId);
    return session && { userId: session.userId, startedAt: session.startedAt.getTime() };
  }
}

/** Billing out of reach or answering what it should not: a 503 the caller may retry. */
function billingUnavailable(consequence: string): (error: unknown) => never {
  return (error) => {
    if (error instanceof BillingUnreachableError)
      throw new AppError('unavailable', `Billing could not be reached; ${consequence}. Try again.`, {
        headers: { 'Retry-After': '5' },
        cause: error.cause,
      });
    if (error instanceof BillingError)
      throw new AppError('unavailable', `Billing answered unexpectedly; ${consequence}. Try again.`, {
        headers: { 'Retry-After': '5' },
        cause: error,
      });
    throw error;
  };
}

function voiceUnavailable(cause: unknown, detail: string): AppError {
  return new AppError('unavailable', detail, { headers: { 'Retry-After': '5' }, cause });
}
