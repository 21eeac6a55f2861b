import type { TenantScope, TenantTransaction } from '@mindbot/db';
import { newId } from '@mindbot/ids';
import { debitLots, heldByOtherSessions, lockLotAfterCapture } from '../data/minute-ledger.js';
import { mintJobToken } from './job-tokens.js';
import { fail, ok, type Result } from '@mindbot/errors';
import { emitWebhookEvent } from '@mindbot/jobs';
import { announceLowBalance } from './low-balance.js';

// Metering: a voice session reserves time when it starts, settles in chunks on each heartbeat and
// settles to the second when it ends (or when the sweeper closes it after its heartbeats stopped).
// A heartbeat whose seconds fit in the session's hold only moves the session row; the ledger takes
// them at the next capture, once per chunk (tenant migration 0022, docs/adr/0064).
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

/** A session row with its charged seconds not yet in the ledger (the lots still carry them). */
async function readSession(tx: TenantTransaction, sessionId: string): Promise<(SessionRow & { pending_seconds: number }) | undefined> {
  const rows = await tx.$queryRaw<(SessionRow & { pending_seconds: number })[]>`
    SELECT id, user_id, status, settled_seconds, charged_seconds, held_seconds, pending_seconds, started_at, last_heartbeat_at, ended_at, end_reason
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

/** The session columns start_session, settle_session and settle_heartbeat answer with (null when they answer no session). */
interface SessionColumns {
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
}

interface StartedRow extends SessionColumns {
  r_outcome: 'started' | 'again' | 'contended' | StartFailure;
  r_first_session: boolean | null;
}

/**
 * Starts a session for `userId`, reserving up to one chunk. `startKey` makes the call idempotent:
 * a retried start returns the same session (with a new job token). Refused with `no_minutes` when
 * nothing is available, `concurrent_sessions` when the tenant runs as many sessions as its plan
 * allows.
 *
 * One call of start_session (tenant migration 0019) over the light write path: the user's lots are
 * locked, then the tenant's slot is taken under its transaction-scoped advisory lock, and the
 * session inserted, in one round trip. The slot is the active session row itself, free again the
 * moment the session ends. Far from the plan's limit starts hold that lock shared and do not queue
 * behind each other (at most a fixed number in flight, counted against the limit); near it, the
 * function answers `contended` and the start is made again holding the lock exclusively, so the
 * last slot goes to exactly one start. It had been held exclusively across the round trips of a
 * Prisma transaction and its commit, which serialised every start of a tenant.
 */
export async function startSession(
  scope: TenantScope,
  input: { userId: string; startKey: string; persona: string | null },
  settings: MeteringSettings,
  now: Date,
  plan: { tenant: string; concurrentSessions: number },
): Promise<Result<StartedSession, StartFailure>> {
  const job = mintJobToken();
  const call = (exclusive: boolean) =>
    scope.write(
      async (sql) => {
        const [row] = await sql<StartedRow>`
          SELECT * FROM start_session(${newId('voiceSession')}::text, ${input.userId}::text, ${input.startKey}::text, ${input.persona}::text,
            ${job.hash}::text, ${now}::timestamptz, ${settings.chunkSeconds}::integer, ${`voice-session-start:${plan.tenant}`}::text,
            ${plan.concurrentSessions}::integer, ${exclusive}::boolean)`;
        if (!row) throw new Error('start_session answered nothing');
        return row;
      },
      // Near the plan's limit: nothing was written; start again, queueing for the tenant's lock.
      { rollbackIf: (row) => row.r_outcome === 'contended' },
    );
  const first = await call(false);
  const r = first.r_outcome === 'contended' ? await call(true) : first;
  if (r.r_outcome === 'contended') throw new Error('start_session answered contended to an exclusive start');
  if (r.r_outcome !== 'started' && r.r_outcome !== 'again') return fail(r.r_outcome);
  const row = sessionRowOf(r);
  return ok({ ...stateOf(row, r.r_remaining ?? 0, settings), jobToken: job.token, firstSession: r.r_first_session === true });
}

/** The session columns of a settle_session or start_session answer (present whenever a session was found). */
function sessionRowOf(r: SessionColumns & { r_outcome: string }): SessionRow {
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
    throw new Error(`the database answered ${r.r_outcome} without the session`);
  }
  return {
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
}

export type SettleFailure = 'not_found' | 'elapsed_ahead_of_clock';

interface SettledRow extends SessionColumns {
  r_outcome: 'settled' | 'ended' | 'not_found' | 'ahead' | 'skipped';
  r_wall_clock: number | null;
}

/** How settleInDatabase sends its statement: through Prisma's transaction (`onPrisma`); the heartbeat's light path calls settle_heartbeat itself. */
type SettleQuery = (strings: TemplateStringsArray, ...values: unknown[]) => Promise<SettledRow[]>;

function onPrisma(tx: TenantTransaction): SettleQuery {
  return (strings, ...values) => tx.$queryRaw<SettledRow[]>(strings, ...values);
}

type SettleOutcome =
  | { outcome: 'settled'; row: SessionRow; remaining: number }
  | { outcome: 'ended'; row: SessionRow; remaining: number }
  | { outcome: 'ahead'; wallClock: number }
  | { outcome: 'not_found' | 'skipped' };

/**
 * One call of settle_session (prisma/migrations/tenant/0005_settle_function.sql): it locks the
 * session row, then the user's spendable lots in spending order, charges `elapsed − settled` from
 * them first-expiring-first with one ledger entry per lot, and updates the session, all in one
 * round trip. `elapsedSeconds` null settles to what is already settled (the sweeper).
 */
async function settleInDatabase(
  query: SettleQuery,
  input: { sessionId: string; elapsedSeconds: number | null; ending: string | null; staleBefore: Date | null },
  settings: MeteringSettings,
  now: Date,
): Promise<SettleOutcome> {
  const sweeping = input.staleBefore !== null;
  const [r] = await query`
    SELECT * FROM settle_session(${input.sessionId}::text, ${input.elapsedSeconds}::integer, ${now}::timestamptz, ${input.ending}::text,
      ${settings.chunkSeconds}::integer, ${settings.clockToleranceSeconds}::integer, ${sweeping}::boolean, ${input.staleBefore}::timestamptz)`;
  return outcomeOf(r);
}

function outcomeOf(r: SettledRow | undefined): SettleOutcome {
  if (!r || r.r_outcome === 'not_found') return { outcome: 'not_found' };
  if (r.r_outcome === 'skipped') return { outcome: 'skipped' };
  if (r.r_outcome === 'ahead') return { outcome: 'ahead', wallClock: r.r_wall_clock ?? 0 };
  const row = sessionRowOf(r);
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
      onPrisma(tx),
      { sessionId: input.sessionId, elapsedSeconds: input.elapsedSeconds, ending, staleBefore: null },
      settings,
      now,
    );
    if (done.outcome === 'settled' || done.outcome === 'ended') {
      if (done.outcome === 'settled' && done.row.status === 'ended') await emitSessionEnded(tx, done.row, now);
      const state = stateOf(done.row, done.remaining, settings);
      if (state.action === 'warn')
        await announceLowBalance(tx, { id: done.row.id, userId: done.row.user_id }, done.remaining, settings.warnSeconds, now);
      return ok(state);
    }
    return settleFailure(done, input.elapsedSeconds);
  });
}

function settleFailure(done: Exclude<SettleOutcome, { row: SessionRow }>, elapsedSeconds: number) {
  if (done.outcome === 'ahead')
    return fail('elapsed_ahead_of_clock', `elapsedSeconds (${elapsedSeconds}) is more than the session has lasted (${done.wallClock} s).`);
  return fail('not_found');
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

/**
 * A heartbeat: settles up to `elapsedSeconds` (cumulative), renews the reservation, says what to do.
 *
 * The hot path of metering, so it is one round trip: BEGIN with the tenant's role and search_path,
 * settle_heartbeat (settle_session, tenant migration 0019) and COMMIT leave together over the
 * light write path, instead of Prisma's interactive transaction. The follow-ups that need the
 * models (the `balance.low` event and e-mail the first time a session is in the warning window,
 * the `session.ended` event should a settle ever end the session) are rare, once per session at
 * most, and must commit with the settle: for those settle_heartbeat raises MBRDO, which rolls the
 * whole transaction back, and the settle is redone through `scope.transaction`. The redo is safe
 * because the settle is idempotent by cumulative elapsed seconds: a settle another heartbeat
 * committed meanwhile is not charged again, and the redo answers what the database holds then.
 * Which warning is the first is decided by the session's low_balance_at mark, set by the redo
 * under the session row's lock; later heartbeats in the window find it set and stay on this path.
 */
export async function heartbeat(
  scope: TenantScope,
  input: { sessionId: string; elapsedSeconds: number },
  settings: MeteringSettings,
  now: Date,
): Promise<Result<SessionState, SettleFailure>> {
  let rows: SettledRow[];
  try {
    rows = await scope.writeOne<SettledRow>`
      SELECT * FROM settle_heartbeat(${input.sessionId}::text, ${input.elapsedSeconds}::integer, ${now}::timestamptz,
        ${settings.chunkSeconds}::integer, ${settings.clockToleranceSeconds}::integer, ${settings.warnSeconds}::integer)`;
  } catch (error) {
    if (needsFullPath(error)) return settle(scope, input, settings, now, null);
    throw error;
  }
  const done = outcomeOf(rows[0]);
  if (done.outcome === 'settled' || done.outcome === 'ended') return ok(stateOf(done.row, done.remaining, settings));
  return settleFailure(done, input.elapsedSeconds);
}

/** settle_heartbeat's answer when the settle needs the full path (see heartbeat). */
function needsFullPath(error: unknown): boolean {
  return error instanceof Error && 'code' in error && error.code === 'MBRDO';
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
        onPrisma(tx),
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
      const lot = await lockLotAfterCapture(tx, { id }, now);
      if (!lot || lot.expires_at > now || lot.remaining_seconds <= 0) return false;
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
      return stateOf(row, Math.max(0, (lots?.total ?? 0) - others - row.pending_seconds), settings);
    },
    { isolationLevel: 'RepeatableRead' },
  );
}
