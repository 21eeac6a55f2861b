import type { TenantScope, TenantTransaction } from '@mindbot/db';
import { newId } from '@mindbot/ids';
import { debitLots, heldByOtherSessions, lockSpendableLots, totalOf } from '../data/minute-ledger.js';
import { mintJobToken } from './job-tokens.js';
import { fail, ok, type Result } from '@mindbot/errors';
import { emitWebhookEvent } from '@mindbot/jobs';
import { announceLowBalance } from './low-balance.js';

// Metering: a voice session reserves time when it starts, settles in chunks on each heartbeat and
// settles to the second when it ends (or when the sweeper closes it after its heartbeats stopped).
//
// Callers report the session's cumulative elapsed seconds, so a retried or reordered call is
// harmless: only the part beyond what is already settled is charged. Each settle locks the session
// row, then the user's spendable lots (first-expiring-first), so concurrent settles of one user are
// serialised by Postgres and no second is charged twice; lots cannot go negative (CHECK constraint).
// The settle itself is one SQL function, settle_session (tenant migration 0005), called once per
// transaction: the locks, the debit and the session update cost one round trip instead of six.

export interface MeteringSettings {
  /** Seconds a session reserves ahead of use; other sessions of the user cannot spend them. */
  chunkSeconds: number;
  /** `warn` when this little time is left. */
  warnSeconds: number;
  /** Sessions without a heartbeat for this long are closed by the sweeper. */
  heartbeatTimeoutSeconds: number;
  /** How far a reported elapsed time may run ahead of the server's clock (network, clock skew). */
  clockToleranceSeconds: number;
}

export type SessionAction = 'continue' | 'warn' | 'stop';

export interface SessionState {
  sessionId: string;
  userId: string;
  status: 'active' | 'ended';
  /** Cumulative seconds of conversation accounted for. */
  settledSeconds: number;
  /** Of those, the seconds taken from the balance (the rest could not be paid: balance ran out). */
  chargedSeconds: number;
  /** How long this session may still run. */
  remainingSeconds: number;
  action: SessionAction;
  startedAt: Date;
  endedAt: Date | null;
  endReason: string | null;
}

interface SessionRow {
  id: string;
  user_id: string;
  status: 'active' | 'ended';
  settled_seconds: number;
  charged_seconds: number;
  held_seconds: number;
  started_at: Date;
  last_heartbeat_at: Date;
  ended_at: Date | null;
  end_reason: string | null;
}

function actionFor(remaining: number, settings: MeteringSettings, ended: boolean): SessionAction {
  if (ended || remaining <= 0) return 'stop';
  return remaining <= settings.warnSeconds ? 'warn' : 'continue';
}

function stateOf(row: SessionRow, remaining: number, settings: MeteringSettings): SessionState {
  const ended = row.status === 'ended';
  return {
    sessionId: row.id,
    userId: row.user_id,
    status: row.status,
    settledSeconds: row.settled_seconds,
    chargedSeconds: row.charged_seconds,
    remainingSeconds: ended ? 0 : remaining,
    action: actionFor(remaining, settings, ended),
    startedAt: row.started_at,
    endedAt: row.ended_at,
    endReason: row.end_reason,
  };
}

async function readSession(tx: TenantTransaction, sessionId: string): Promise<SessionRow | undefined> {
  const rows = await tx.$queryRaw<
    SessionRow[]
  >`SELECT id, user_id, status, settled_seconds, charged_seconds, held_seconds, started_at, last_heartbeat_at, ended_at, end_reason
    FROM voice_sessions WHERE id = ${sessionId}`;
  return rows[0];
}

export type StartFailure = 'no_minutes' | 'start_key_conflict' | 'concurrent_sessions';

/** A started session as the gateway needs it to dispatch the agent. */
export interface StartedSession extends SessionState {
  /** The agent's credential for this session only (a retried start mints a new one; the old one stops working). */
  jobToken: string;
  /** Whether this is the user's first voice session with the tenant (the agent greets newcomers differently). */
  firstSession: boolean;
}

/**
 * Starts a session for `userId`, reserving up to one chunk. `startKey` makes the call idempotent:
 * a retried start returns the same session. Refused with `no_minutes` when nothing is available.
 */
export async function startSession(
  scope: TenantScope,
  input: { userId: string; startKey: string; persona: string | null },
  settings: MeteringSettings,
  now: Date,
  plan: { tenant: string; concurrentSessions: number },
): Promise<Result<StartedSession, StartFailure>> {
  const job = mintJobToken();
  return scope.transaction(async (tx) => {
    const existing = await tx.$queryRaw<
      { id: string; user_id: string }[]
    >`SELECT id, user_id FROM voice_sessions WHERE start_key = ${input.startKey}`;
    const lots = await lockSpendableLots(tx, input.userId, now);
    const again = existing[0];
    if (again) {
      if (again.user_id !== input.userId) return fail('start_key_conflict');
      return answerRetriedStart(tx, again.id, input.userId, totalOf(lots), settings, job);
    }
    const available = totalOf(lots) - (await heldByOtherSessions(tx, input.userId, null));
    if (available <= 0) return fail('no_minutes');
    if (!(await takeSessionSlot(tx, plan))) return fail('concurrent_sessions');
    const [earlier] = await tx.$queryRaw<{ n: number }[]>`SELECT count(*)::int AS n FROM voice_sessions WHERE user_id = ${input.userId}`;
    const held = Math.min(settings.chunkSeconds, available);
    const id = newId('voiceSession');
    const inserted = await tx.$queryRaw<SessionRow[]>`
      INSERT INTO voice_sessions (id, user_id, start_key, held_seconds, started_at, last_heartbeat_at, job_token_hash, persona)
      VALUES (${id}, ${input.userId}, ${input.startKey}, ${held}, ${now}, ${now}, ${job.hash}, ${input.persona})
      ON CONFLICT (start_key) DO NOTHING
      RETURNING id, user_id, status, settled_seconds, charged_seconds, held_seconds, started_at, last_heartbeat_at, ended_at, end_reason`;
    const row = inserted[0];
    if (row) return ok({ ...stateOf(row, available, settings), jobToken: job.token, firstSession: (earlier?.n ?? 0) === 0 });
    // A concurrent start with the same key won the insert (and has committed): answer its session.
    const [winner] = await tx.$queryRaw<
      { id: string; user_id: string }[]
    >`SELECT id, user_id FROM voice_sessions WHERE start_key = ${input.startKey}`;
    if (!winner || winner.user_id !== input.userId) return fail('start_key_conflict');
    return answerRetriedStart(tx, winner.id, input.userId, totalOf(lots), settings, job);
  });
}

/** The same session again, with a fresh job token (only its hash is kept, so the first cannot be shown twice). */
async function answerRetriedStart(
  tx: TenantTransaction,
  sessionId: string,
  userId: string,
  spendable: number,
  settings: MeteringSettings,
  job: { token: string; hash: string },
): Promise<Result<StartedSession, StartFailure>> {
  const row = await readSession(tx, sessionId);
  if (!row) return fail('start_key_conflict');
  await tx.$executeRaw`UPDATE voice_sessions SET job_token_hash = ${job.hash} WHERE id = ${sessionId} AND status = 'active'`;
  const [earlier] = await tx.$queryRaw<
    { n: number }[]
  >`SELECT count(*)::int AS n FROM voice_sessions WHERE user_id = ${userId} AND started_at < ${row.started_at}`;
  const others = await heldByOtherSessions(tx, userId, row.id);
  return ok({ ...stateOf(row, Math.max(0, spendable - others), settings), jobToken: job.token, firstSession: (earlier?.n ?? 0) === 0 });
}

/**
 * Whether the tenant may run one more session. New starts of a tenant queue on a transaction-scoped
 * advisory lock, so the count cannot be read by two starts before either inserts: the last slot goes
 * to exactly one of them. The slot is the active session row itself, so it is free again the moment
 * the session ends (by the user, LiveKit's webhook, a failed start's release or the sweeper), and a
 * failed transaction takes nothing.
 */
async function takeSessionSlot(tx: TenantTransaction, plan: { tenant: string; concurrentSessions: number }): Promise<boolean> {
  await tx.$executeRaw`SELECT pg_advisory_xact_lock(hashtextextended(${`voice-session-start:${plan.tenant}`}, 0))`;
  const [row] = await tx.$queryRaw<{ active: number }[]>`SELECT count(*)::int AS active FROM voice_sessions WHERE status = 'active'`;
  return (row?.active ?? 0) < plan.concurrentSessions;
}

export type SettleFailure = 'not_found' | 'elapsed_ahead_of_clock';

interface SettledRow {
  r_outcome: 'settled' | 'ended' | 'not_found' | 'ahead' | 'skipped';
  r_id: string | null;
  r_user_id: string | null;
  r_status: 'active' | 'ended' | null;
  r_settled_seconds: number | null;
  r_charged_seconds: number | null;
  r_held_seconds: number | null;
  r_started_at: Date | null;
  r_last_heartbeat_at: Date | null;
  r_ended_at: Date | null;
  r_end_reason: string | null;
  r_remaining: number | null;
  r_wall_clock: number | null;
}

type SettleOutcome =
  | { outcome: 'settled' | 'ended'; row: SessionRow; remaining: number }
  | { outcome: 'ahead'; wallClock: number }
  | { outcome: 'not_found' | 'skipped' };

/**
 * One call of settle_session (prisma/migrations/tenant/0005_settle_function.sql): it locks the
 * session row, then the user's spendable lots in spending order, charges `elapsed − settled` from
 * them first-expiring-first with one ledger entry per lot, and updates the session, all in one
 * round trip. `elapsedSeconds` null settles to what is already settled (the sweeper).
 */
async function settleInDatabase(
  tx: TenantTransaction,
  input: { sessionId: string; elapsedSeconds: number | null; ending: string | null; staleBefore: Date | null },
  settings: MeteringSettings,
  now: Date,
): Promise<SettleOutcome> {
  const sweeping = input.staleBefore !== null;
  const [r] = await tx.$queryRaw<SettledRow[]>`
    SELECT * FROM settle_session(${input.sessionId}::text, ${input.elapsedSeconds}::integer, ${now}::timestamptz, ${input.ending}::text,
      ${settings.chunkSeconds}::integer, ${settings.clockToleranceSeconds}::integer, ${sweeping}::boolean, ${input.staleBefore}::timestamptz)`;
  if (!r || r.r_outcome === 'not_found') return { outcome: 'not_found' };
  if (r.r_outcome === 'skipped') return { outcome: 'skipped' };
  if (r.r_outcome === 'ahead') return { outcome: 'ahead', wallClock: r.r_wall_clock ?? 0 };
  if (
    r.r_id === null ||
    r.r_user_id === null ||
    r.r_status === null ||
    r.r_settled_seconds === null ||
    r.r_charged_seconds === null ||
    r.r_held_seconds === null ||
    r.r_started_at === null ||
    r.r_last_heartbeat_at === null
  ) {
    throw new Error(`settle_session answered ${r.r_outcome} without the session`);
  }
  const row: SessionRow = {
    id: r.r_id,
    user_id: r.r_user_id,
    status: r.r_status,
    settled_seconds: r.r_settled_seconds,
    charged_seconds: r.r_charged_seconds,
    held_seconds: r.r_held_seconds,
    started_at: r.r_started_at,
    last_heartbeat_at: r.r_last_heartbeat_at,
    ended_at: r.r_ended_at,
    end_reason: r.r_end_reason,
  };
  return { outcome: r.r_outcome, row, remaining: r.r_remaining ?? 0 };
}

async function settle(
  scope: TenantScope,
  input: { sessionId: string; elapsedSeconds: number },
  settings: MeteringSettings,
  now: Date,
  ending: string | null,
): Promise<Result<SessionState, SettleFailure>> {
  return scope.transaction(async (tx) => {
    const done = await settleInDatabase(
      tx,
      { sessionId: input.sessionId, elapsedSeconds: input.elapsedSeconds, ending, staleBefore: null },
      settings,
      now,
    );
    switch (done.outcome) {
      case 'not_found':
      case 'skipped':
        return fail('not_found');
      case 'ahead':
        return fail(
          'elapsed_ahead_of_clock',
          `elapsedSeconds (${input.elapsedSeconds}) is more than the session has lasted (${done.wallClock} s).`,
        );
      case 'ended':
      case 'settled': {
        if (done.outcome === 'settled' && done.row.status === 'ended') await emitSessionEnded(tx, done.row, now);
        const state = stateOf(done.row, done.remaining, settings);
        if (state.action === 'warn')
          await announceLowBalance(tx, { id: done.row.id, userId: done.row.user_id }, done.remaining, settings.warnSeconds, now);
        return ok(state);
      }
    }
  });
}

/** Tells the tenant's webhook endpoints, in the transaction that ended it (ending an ended session again sends nothing). */
function emitSessionEnded(tx: TenantTransaction, row: SessionRow, now: Date): Promise<string | null> {
  return emitWebhookEvent(
    tx,
    {
      type: 'session.ended',
      data: {
        sessionId: row.id,
        userId: row.user_id,
        startedAt: row.started_at.toISOString(),
        endedAt: (row.ended_at ?? now).toISOString(),
        billedSeconds: row.charged_seconds,
      },
    },
    now,
  );
}

/** A heartbeat: settles up to `elapsedSeconds` (cumulative), renews the reservation, says what to do. */
export function heartbeat(scope: TenantScope, input: { sessionId: string; elapsedSeconds: number }, settings: MeteringSettings, now: Date) {
  return settle(scope, input, settings, now, null);
}

/** Ends the session, settling to the second; ending an ended session answers its final state. */
export function endSession(
  scope: TenantScope,
  input: { sessionId: string; elapsedSeconds: number; reason: string },
  settings: MeteringSettings,
  now: Date,
) {
  return settle(scope, input, settings, now, input.reason);
}

/**
 * Closes sessions whose heartbeats stopped: settled to the last reported second (everything the
 * caller reported was settled by its heartbeats) and their reservation released. One transaction
 * per session, skipping sessions another process is settling right now.
 */
export async function sweepAbandonedSessions(scope: TenantScope, settings: MeteringSettings, now: Date, limit = 200): Promise<number> {
  const cutoff = new Date(now.getTime() - settings.heartbeatTimeoutSeconds * 1000);
  const stale = await scope.transaction(
    (tx) =>
      tx.$queryRaw<
        { id: string }[]
      >`SELECT id FROM voice_sessions WHERE status = 'active' AND last_heartbeat_at < ${cutoff} ORDER BY last_heartbeat_at LIMIT ${limit}`,
  );
  let closed = 0;
  for (const { id } of stale) {
    const done = await scope.transaction(async (tx) => {
      const swept = await settleInDatabase(
        tx,
        { sessionId: id, elapsedSeconds: null, ending: 'abandoned', staleBefore: cutoff },
        settings,
        now,
      );
      if (swept.outcome !== 'settled') return false;
      await emitSessionEnded(tx, swept.row, now);
      return true;
    });
    if (done) closed++;
  }
  return closed;
}

/** Writes off what expired lots still held, as `expiry` entries, so the history shows where it went. */
export async function expireLots(scope: TenantScope, now: Date, limit = 500): Promise<number> {
  const expired = await scope.transaction(
    (tx) =>
      tx.$queryRaw<
        { id: string }[]
      >`SELECT id FROM minute_lots WHERE expires_at <= ${now} AND remaining_seconds > 0 ORDER BY expires_at, id LIMIT ${limit}`,
  );
  let count = 0;
  for (const { id } of expired) {
    const done = await scope.transaction(async (tx) => {
      const [lot] = await tx.$queryRaw<{ id: string; user_id: string; remaining_seconds: number }[]>`
        SELECT id, user_id, remaining_seconds FROM minute_lots WHERE id = ${id} AND expires_at <= ${now} AND remaining_seconds > 0 FOR UPDATE`;
      if (!lot) return false;
      await debitLots(tx, { userId: lot.user_id, kind: 'expiry', sessionId: null, keyOf: (lotId) => `expiry:${lotId}` }, [
        { lotId: lot.id, seconds: lot.remaining_seconds },
      ]);
      return true;
    });
    if (done) count++;
  }
  return count;
}

/**
 * A session's state without settling anything (the agent's "how much time is left" tools): what is
 * settled so far, and how long it may still run — the user's unexpired time less what their other
 * running sessions hold.
 */
export async function readSessionState(
  scope: TenantScope,
  sessionId: string,
  settings: MeteringSettings,
  now: Date,
): Promise<SessionState | undefined> {
  return scope.transaction(
    async (tx) => {
      const row = await readSession(tx, sessionId);
      if (!row) return undefined;
      const [lots] = await tx.$queryRaw<{ total: number }[]>`
        SELECT COALESCE(SUM(remaining_seconds), 0)::int AS total FROM minute_lots WHERE user_id = ${row.user_id} AND expires_at > ${now} AND remaining_seconds > 0`;
      const others = await heldByOtherSessions(tx, row.user_id, row.id);
      return stateOf(row, Math.max(0, (lots?.total ?? 0) - others), settings);
    },
    { isolationLevel: 'RepeatableRead' },
  );
}
