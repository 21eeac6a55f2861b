-- Starting a voice session in one statement: start_session(...) does in the database what
-- domain/metering.ts startSession did in about eight round trips of one transaction (look the
-- start key up, lock the user's spendable lots, sum what the user's other sessions hold, take the
-- tenant's session slot under its advisory lock, count the user's earlier sessions, insert). The
-- per-tenant advisory lock admitted starts one at a time, held across those round trips and the
-- commit's disk flush, so one tenant's starts queued behind each other; now a start far from the
-- plan's limit holds it in SHARE mode (below) and only starts near the limit queue. Same locks in
-- the same order (the user's lots, then the tenant's slot), same lock key, same answers.
-- Runs as the tenant's role (SECURITY INVOKER) with this schema's search_path pinned.
--
-- A heartbeat's update of its session row becomes a HOT update (no new index entries, the old
-- version pruned in place): the sweeper's index on last_heartbeat_at, which every heartbeat
-- changed, gives way to an index of the active sessions by id, which no heartbeat changes. The
-- sweeper reads the tenant's active sessions through it (at most the plan's concurrentSessions)
-- and start_session counts them with it. Pages keep a fifth free so the new version fits beside
-- the old one.
DROP INDEX voice_sessions_active_heartbeat_idx;
CREATE INDEX voice_sessions_active_idx ON voice_sessions (id) WHERE status = 'active';
ALTER TABLE voice_sessions SET (fillfactor = 80);

-- The tenant's session slots. Starts of a tenant far from its plan's concurrentSessions do not
-- queue behind each other at all: each holds the tenant's start lock in SHARE mode plus one of
-- start_tickets() ticket locks (taken without waiting), so at most start_tickets() of them are in
-- flight, and one admits itself when the committed active sessions plus start_tickets() still fit
-- the plan: whatever the others in flight do, the plan holds. Near the limit a start takes the
-- lock EXCLUSIVE instead (p_exclusive, or the old code of a replica not yet upgraded), which waits
-- for the shared holders to commit, so its count sees every session admitted before it and the
-- last slot goes to exactly one start. A start that finds the tenant near the limit, or every
-- ticket taken, after taking the shared lock answers 'contended' with nothing written: the caller
-- rolls back and calls again with p_exclusive (a lock held in SHARE mode cannot be upgraded without
-- deadlocking against another holder doing the same).
CREATE FUNCTION start_tickets() RETURNS integer LANGUAGE sql IMMUTABLE AS 'SELECT 32';

-- Outcomes: 'started' (a new session), 'again' (the session this start key already started, for
-- this user, with its job token replaced), 'no_minutes', 'concurrent_sessions', 'start_key_conflict'
-- (the start key belongs to another user's session), 'contended' (see above). Nothing is written
-- unless the outcome is 'started' or 'again'.
CREATE FUNCTION start_session(
  p_id text,
  p_user_id text,
  p_start_key text,
  p_persona text,
  p_job_token_hash text,
  p_now timestamptz,
  p_chunk integer,
  p_slot_lock text,
  p_concurrent_sessions integer,
  p_exclusive boolean DEFAULT false
)
RETURNS TABLE (
  r_outcome text,
  r_id text,
  r_user_id text,
  r_status text,
  r_settled_seconds integer,
  r_charged_seconds integer,
  r_held_seconds integer,
  r_started_at timestamptz,
  r_last_heartbeat_at timestamptz,
  r_ended_at timestamptz,
  r_end_reason text,
  r_remaining integer,
  r_first_session boolean
)
LANGUAGE plpgsql VOLATILE
SET search_path FROM CURRENT
AS $$
DECLARE
  s voice_sessions%ROWTYPE;
  again_id text;
  again_user text;
  total integer;
  others integer;
  available integer;
  active integer;
  earlier integer;
  slot_lock bigint := hashtextextended(p_slot_lock, 0);
  ticket boolean := false;
BEGIN
  SELECT id, user_id INTO again_id, again_user FROM voice_sessions WHERE start_key = p_start_key;
  IF again_id IS NOT NULL AND again_user <> p_user_id THEN
    r_outcome := 'start_key_conflict';
    RETURN NEXT;
    RETURN;
  END IF;

  -- The user's spendable lots, locked in spending order: concurrent starts and settles of one user
  -- are serialised here, as settle_session locks them.
  SELECT coalesce(sum(l.remaining_seconds), 0)::integer INTO total
    FROM (SELECT remaining_seconds FROM minute_lots
          WHERE user_id = p_user_id AND expires_at > p_now AND remaining_seconds > 0
          ORDER BY expires_at, id
          FOR UPDATE) AS l;

  IF again_id IS NULL THEN
    SELECT coalesce(sum(held_seconds), 0)::integer INTO others
      FROM voice_sessions WHERE user_id = p_user_id AND status = 'active';
    available := total - others;
    IF available <= 0 THEN
      r_outcome := 'no_minutes';
      RETURN NEXT;
      RETURN;
    END IF;

    -- The tenant's slot (see start_tickets above). The slot is the active row itself, free again
    -- once the session ends.
    IF NOT p_exclusive AND p_concurrent_sessions > start_tickets() THEN
      PERFORM pg_advisory_xact_lock_shared(slot_lock);
      FOR i IN 1..start_tickets() LOOP
        ticket := pg_try_advisory_xact_lock(hashtextextended(p_slot_lock || ':ticket:' || i, 0));
        EXIT WHEN ticket;
      END LOOP;
      IF ticket THEN
        SELECT count(*)::integer INTO active FROM voice_sessions WHERE status = 'active';
      END IF;
      IF NOT ticket OR active + start_tickets() > p_concurrent_sessions THEN
        r_outcome := 'contended';
        RETURN NEXT;
        RETURN;
      END IF;
    ELSE
      PERFORM pg_advisory_xact_lock(slot_lock);
      SELECT count(*)::integer INTO active FROM voice_sessions WHERE status = 'active';
      IF active >= p_concurrent_sessions THEN
        r_outcome := 'concurrent_sessions';
        RETURN NEXT;
        RETURN;
      END IF;
    END IF;

    SELECT count(*)::integer INTO earlier FROM voice_sessions WHERE user_id = p_user_id;
    INSERT INTO voice_sessions (id, user_id, start_key, held_seconds, started_at, last_heartbeat_at, job_token_hash, persona)
      VALUES (p_id, p_user_id, p_start_key, least(p_chunk, available), p_now, p_now, p_job_token_hash, p_persona)
      ON CONFLICT (start_key) DO NOTHING
      RETURNING * INTO s;
    IF FOUND THEN
      r_outcome := 'started';
      r_id := s.id; r_user_id := s.user_id; r_status := s.status; r_settled_seconds := s.settled_seconds;
      r_charged_seconds := s.charged_seconds; r_held_seconds := s.held_seconds; r_started_at := s.started_at;
      r_last_heartbeat_at := s.last_heartbeat_at; r_ended_at := s.ended_at; r_end_reason := s.end_reason;
      r_remaining := available;
      r_first_session := earlier = 0;
      RETURN NEXT;
      RETURN;
    END IF;
    -- A concurrent start with the same key won the insert (and has committed): answer its session.
    SELECT id, user_id INTO again_id, again_user FROM voice_sessions WHERE start_key = p_start_key;
    IF again_id IS NULL OR again_user <> p_user_id THEN
      r_outcome := 'start_key_conflict';
      RETURN NEXT;
      RETURN;
    END IF;
  END IF;

  -- The same session again, with a fresh job token (only its hash is kept, so the first cannot be
  -- shown twice).
  SELECT * INTO s FROM voice_sessions WHERE id = again_id;
  IF NOT FOUND THEN
    r_outcome := 'start_key_conflict';
    RETURN NEXT;
    RETURN;
  END IF;
  UPDATE voice_sessions SET job_token_hash = p_job_token_hash WHERE id = again_id AND status = 'active';
  SELECT count(*)::integer INTO earlier FROM voice_sessions WHERE user_id = p_user_id AND started_at < s.started_at;
  SELECT coalesce(sum(held_seconds), 0)::integer INTO others
    FROM voice_sessions WHERE user_id = p_user_id AND status = 'active' AND id <> s.id;
  r_outcome := 'again';
  r_id := s.id; r_user_id := s.user_id; r_status := s.status; r_settled_seconds := s.settled_seconds;
  r_charged_seconds := s.charged_seconds; r_held_seconds := s.held_seconds; r_started_at := s.started_at;
  r_last_heartbeat_at := s.last_heartbeat_at; r_ended_at := s.ended_at; r_end_reason := s.end_reason;
  r_remaining := greatest(0, total - others);
  r_first_session := earlier = 0;
  RETURN NEXT;
END;
$$;

-- A heartbeat in one round trip: the service sends BEGIN, this call and COMMIT together, so it
-- cannot decide between COMMIT and ROLLBACK after seeing the outcome. The few outcomes that need
-- more than SQL in the same transaction (the first settle at or under the warning threshold sends
-- balance.low; a settle that ended the session sends session.ended) raise SQLSTATE MBRDO instead:
-- the transaction is aborted, the COMMIT behind the call ends it as a ROLLBACK, and the service
-- settles again through its full path, which is safe as the settle is idempotent by cumulative
-- elapsed seconds. Every other outcome is settle_session's own answer.
CREATE FUNCTION settle_heartbeat(
  p_session_id text,
  p_elapsed integer,
  p_now timestamptz,
  p_chunk integer,
  p_tolerance integer,
  p_warn integer
)
RETURNS TABLE (
  r_outcome text,
  r_id text,
  r_user_id text,
  r_status text,
  r_settled_seconds integer,
  r_charged_seconds integer,
  r_held_seconds integer,
  r_started_at timestamptz,
  r_last_heartbeat_at timestamptz,
  r_ended_at timestamptz,
  r_end_reason text,
  r_remaining integer,
  r_wall_clock integer
)
LANGUAGE plpgsql VOLATILE
SET search_path FROM CURRENT
AS $$
DECLARE
  s record;
BEGIN
  SELECT * INTO s FROM settle_session(p_session_id, p_elapsed, p_now, NULL, p_chunk, p_tolerance);
  IF s.r_outcome = 'settled' AND (
       s.r_status = 'ended'
       OR (s.r_remaining > 0 AND s.r_remaining <= p_warn
           AND (SELECT v.low_balance_at IS NULL FROM voice_sessions v WHERE v.id = s.r_id))) THEN
    RAISE EXCEPTION 'this settle needs the service''s full path' USING ERRCODE = 'MBRDO';
  END IF;
  r_outcome := s.r_outcome; r_id := s.r_id; r_user_id := s.r_user_id; r_status := s.r_status;
  r_settled_seconds := s.r_settled_seconds; r_charged_seconds := s.r_charged_seconds;
  r_held_seconds := s.r_held_seconds; r_started_at := s.r_started_at;
  r_last_heartbeat_at := s.r_last_heartbeat_at; r_ended_at := s.r_ended_at; r_end_reason := s.r_end_reason;
  r_remaining := s.r_remaining; r_wall_clock := s.r_wall_clock;
  RETURN NEXT;
END;
$$;
