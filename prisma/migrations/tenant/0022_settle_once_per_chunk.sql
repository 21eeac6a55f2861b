-- Metering writes to the ledger once per chunk instead of once per heartbeat
-- (docs/adr/0064-ledger-capture-per-chunk.md). A session's hold reserves its time; a heartbeat
-- whose seconds still fit in the hold, with at least half a chunk of it left ahead, only moves the
-- session row (settled, charged, pending: one HOT update) and the lots and the ledger wait. The
-- next full settle (the hold running low, the end, the sweeper) captures the pending seconds with
-- the new ones: one ledger entry per lot for all of them, and a new hold.
--
-- pending_seconds: charged to the session but not yet in the ledger. The hold covers them (they
-- are part of held_seconds), so no other session of the user can spend them meanwhile, and the
-- ledger always sums to charged_seconds - pending_seconds for every session; an ended session has
-- nothing pending. Existing rows have nothing pending (every settle so far wrote the ledger).
--
-- The constraints hold for every existing row by construction (pending 0, charged and held never
-- negative), so they are added NOT VALID: enforced on every write from now on, without reading
-- each schema's whole session history under the table's exclusive lock.
ALTER TABLE voice_sessions
  ADD COLUMN pending_seconds integer NOT NULL DEFAULT 0,
  ADD CONSTRAINT voice_sessions_pending_seconds_check
    CHECK (pending_seconds >= 0 AND pending_seconds <= charged_seconds AND pending_seconds <= held_seconds) NOT VALID,
  ADD CONSTRAINT voice_sessions_pending_ended_check CHECK (status = 'active' OR pending_seconds = 0) NOT VALID;

-- Same signature, outcomes and locks as tenant migration 0005; the capture of what is pending is
-- new. Pending seconds are taken from the lots that were spendable when they were used (by the
-- session's last heartbeat), first-expiring-first, so a lot that expired since still pays for
-- them; new seconds only from lots spendable now. Called without p_elapsed (the sweeper, or
-- capture_pending below) it leaves last_heartbeat_at alone.
CREATE OR REPLACE FUNCTION settle_session(
  p_session_id text,
  p_elapsed integer,
  p_now timestamptz,
  p_ending text,
  p_chunk integer,
  p_tolerance integer,
  p_skip_locked boolean DEFAULT false,
  p_stale_before timestamptz DEFAULT NULL
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
  s voice_sessions%ROWTYPE;
  lot_ids text[];
  lot_remaining integer[];
  lot_expires timestamptz[];
  takes integer[];
  since timestamptz;
  total integer;
  others integer;
  spendable integer;
  delta integer;
  owed integer;
  charge integer;
  left_to_take integer;
  take integer;
  wall integer;
  i integer;
  -- The entries of one capture share one ULID but for its last two characters, which count them:
  -- they sort in spending order (70 random bits keep captures apart).
  alphabet constant text := '0123456789abcdefghjkmnpqrstvwxyz';
  entry_base text := left(new_ulid(), 24);
  entries integer := 0;
BEGIN
  -- 1. The session row.
  IF p_skip_locked THEN
    SELECT * INTO s FROM voice_sessions WHERE id = p_session_id FOR UPDATE SKIP LOCKED;
    IF NOT FOUND OR s.status <> 'active' OR p_stale_before IS NULL OR s.last_heartbeat_at >= p_stale_before THEN
      r_outcome := 'skipped';
      RETURN NEXT;
      RETURN;
    END IF;
  ELSE
    SELECT * INTO s FROM voice_sessions WHERE id = p_session_id FOR UPDATE;
    IF NOT FOUND THEN
      r_outcome := 'not_found';
      RETURN NEXT;
      RETURN;
    END IF;
  END IF;

  r_id := s.id; r_user_id := s.user_id; r_status := s.status; r_settled_seconds := s.settled_seconds;
  r_charged_seconds := s.charged_seconds; r_held_seconds := s.held_seconds; r_started_at := s.started_at;
  r_last_heartbeat_at := s.last_heartbeat_at; r_ended_at := s.ended_at; r_end_reason := s.end_reason;

  IF s.status = 'ended' THEN
    r_outcome := 'ended';
    r_remaining := 0;
    RETURN NEXT;
    RETURN;
  END IF;

  IF p_elapsed IS NOT NULL THEN
    wall := floor(extract(epoch FROM (p_now - s.started_at)))::integer;
    IF p_elapsed > wall + p_tolerance THEN
      r_outcome := 'ahead';
      r_wall_clock := wall;
      RETURN NEXT;
      RETURN;
    END IF;
  END IF;

  -- 2. The user's lots, locked in spending order (first-expiring-first, then oldest): those
  -- spendable now, and while seconds are pending those spendable when they were used.
  since := CASE WHEN s.pending_seconds > 0 THEN least(p_now, s.last_heartbeat_at) ELSE p_now END;
  SELECT coalesce(array_agg(l.id ORDER BY l.expires_at, l.id), '{}'),
         coalesce(array_agg(l.remaining_seconds ORDER BY l.expires_at, l.id), '{}'),
         coalesce(array_agg(l.expires_at ORDER BY l.expires_at, l.id), '{}'),
         coalesce(sum(l.remaining_seconds), 0)::integer
    INTO lot_ids, lot_remaining, lot_expires, total
    FROM (SELECT id, remaining_seconds, expires_at FROM minute_lots
          WHERE user_id = s.user_id AND expires_at > since AND remaining_seconds > 0
          ORDER BY expires_at, id
          FOR UPDATE) AS l;

  -- 3. What the user's other active sessions hold (their pending seconds included).
  SELECT coalesce(sum(held_seconds), 0)::integer INTO others
    FROM voice_sessions WHERE user_id = s.user_id AND status = 'active' AND id <> s.id;

  -- 4. What is pending first. The session's hold kept other sessions off those seconds, so the lots
  -- still have them unless a reversal took lot time since: what is gone can no longer be
  -- collected, and the charge says so.
  owed := least(s.pending_seconds, total);
  takes := array_fill(0, ARRAY[cardinality(lot_ids)]);
  left_to_take := owed;
  total := 0;
  FOR i IN 1..cardinality(lot_ids) LOOP
    takes[i] := least(lot_remaining[i], left_to_take);
    left_to_take := left_to_take - takes[i];
    IF lot_expires[i] > p_now THEN
      total := total + lot_remaining[i] - takes[i];
    END IF;
  END LOOP;

  -- Then the new seconds, from what is spendable now and not held by the other sessions.
  spendable := greatest(0, total - others);
  delta := greatest(0, coalesce(p_elapsed, s.settled_seconds) - s.settled_seconds);
  charge := least(delta, spendable);
  left_to_take := charge;
  FOR i IN 1..cardinality(lot_ids) LOOP
    IF lot_expires[i] > p_now THEN
      take := least(lot_remaining[i] - takes[i], left_to_take);
      takes[i] := takes[i] + take;
      left_to_take := left_to_take - take;
    END IF;
  END LOOP;

  -- The capture, one ledger entry per lot; a repeated key fails on the unique index. The key counts
  -- the session's seconds already in the ledger, which only grows from one capture to the next.
  FOR i IN 1..cardinality(lot_ids) LOOP
    IF takes[i] > 0 THEN
      INSERT INTO ledger_entries (id, user_id, lot_id, session_id, kind, seconds, idempotency_key)
      VALUES ('led_' || CASE WHEN entries < 1024 THEN entry_base || substr(alphabet, entries / 32 + 1, 1) || substr(alphabet, entries % 32 + 1, 1) ELSE new_ulid() END,
              s.user_id, lot_ids[i], s.id, 'usage', -takes[i],
              'capture:' || s.id || ':' || (s.charged_seconds - s.pending_seconds) || ':' || lot_ids[i]);
      UPDATE minute_lots SET remaining_seconds = remaining_seconds - takes[i] WHERE id = lot_ids[i];
      entries := entries + 1;
    END IF;
  END LOOP;

  -- 5. The session: settled, charged (what was pending and could not be captured comes off), its
  -- new hold (none once ended), nothing pending.
  UPDATE voice_sessions AS v SET
    settled_seconds = v.settled_seconds + delta,
    charged_seconds = v.charged_seconds - v.pending_seconds + owed + charge,
    pending_seconds = 0,
    held_seconds = CASE WHEN p_ending IS NULL THEN least(p_chunk, spendable - charge) ELSE 0 END,
    last_heartbeat_at = CASE WHEN p_elapsed IS NULL OR p_ending = 'abandoned' THEN v.last_heartbeat_at ELSE p_now END,
    status = CASE WHEN p_ending IS NULL THEN 'active' ELSE 'ended' END,
    ended_at = CASE WHEN p_ending IS NULL THEN NULL ELSE p_now END,
    end_reason = p_ending
  WHERE v.id = s.id
  RETURNING v.* INTO s;

  r_outcome := 'settled';
  r_id := s.id; r_user_id := s.user_id; r_status := s.status; r_settled_seconds := s.settled_seconds;
  r_charged_seconds := s.charged_seconds; r_held_seconds := s.held_seconds; r_started_at := s.started_at;
  r_last_heartbeat_at := s.last_heartbeat_at; r_ended_at := s.ended_at; r_end_reason := s.end_reason;
  r_remaining := spendable - charge;
  RETURN NEXT;
END;
$$;

-- A heartbeat: the session row alone while its hold covers the new seconds with at least half a
-- chunk left ahead (the hold is renewed to a chunk at each capture, so a session always has that
-- much reserved between heartbeats) and none of the user's lots has expired unwritten-off;
-- settle_session otherwise. Same outcomes as tenant migration
-- 0019, and MBRDO for the settles that need the service's full path.
CREATE OR REPLACE FUNCTION settle_heartbeat(
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
  v record;
BEGIN
  -- The sums of what the user may still spend come back with the update, from its snapshot: the
  -- unexpired lots and every other active session's hold (this session's own hold beyond its
  -- pending seconds is still its to use).
  UPDATE voice_sessions AS u SET
    settled_seconds = u.settled_seconds + greatest(0, p_elapsed - u.settled_seconds),
    charged_seconds = u.charged_seconds + greatest(0, p_elapsed - u.settled_seconds),
    pending_seconds = u.pending_seconds + greatest(0, p_elapsed - u.settled_seconds),
    last_heartbeat_at = p_now
  WHERE u.id = p_session_id AND u.status = 'active'
    AND u.pending_seconds + greatest(0, p_elapsed - u.settled_seconds) <= u.held_seconds - (p_chunk + 1) / 2
    AND p_elapsed <= floor(extract(epoch FROM (p_now - u.started_at)))::integer + p_tolerance
    -- Once one of the user's lots has expired with time left, the next settle captures what is
    -- pending from the lots spendable when it was used (the expired one among them) until the
    -- expiry is written off.
    AND NOT EXISTS (SELECT 1 FROM minute_lots m
                    WHERE m.user_id = u.user_id AND m.expires_at <= p_now AND m.remaining_seconds > 0)
  RETURNING u.id, u.user_id, u.status, u.settled_seconds, u.charged_seconds, u.held_seconds, u.pending_seconds,
    u.started_at, u.last_heartbeat_at, u.ended_at, u.end_reason, u.low_balance_at,
    (SELECT coalesce(sum(m.remaining_seconds), 0)::integer
       FROM minute_lots m WHERE m.user_id = u.user_id AND m.expires_at > p_now AND m.remaining_seconds > 0) AS total,
    (SELECT coalesce(sum(o.held_seconds), 0)::integer
       FROM voice_sessions o WHERE o.user_id = u.user_id AND o.status = 'active' AND o.id <> u.id) AS others
  INTO v;

  IF FOUND THEN
    r_remaining := greatest(0, v.total - v.others - v.pending_seconds);
    IF r_remaining > 0 AND r_remaining <= p_warn AND v.low_balance_at IS NULL THEN
      RAISE EXCEPTION 'this settle needs the service''s full path' USING ERRCODE = 'MBRDO';
    END IF;
    r_outcome := 'settled';
    r_id := v.id; r_user_id := v.user_id; r_status := v.status; r_settled_seconds := v.settled_seconds;
    r_charged_seconds := v.charged_seconds; r_held_seconds := v.held_seconds; r_started_at := v.started_at;
    r_last_heartbeat_at := v.last_heartbeat_at; r_ended_at := v.ended_at; r_end_reason := v.end_reason;
    RETURN NEXT;
    RETURN;
  END IF;

  SELECT * INTO s FROM settle_session(p_session_id, p_elapsed, p_now, NULL, p_chunk, p_tolerance);
  IF s.r_outcome = 'settled' AND (
       s.r_status = 'ended'
       OR (s.r_remaining > 0 AND s.r_remaining <= p_warn
           AND (SELECT u.low_balance_at IS NULL FROM voice_sessions u WHERE u.id = s.r_id))) THEN
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

-- Before anything else takes time out of a user's lots (a refund's or a dispute's reversal, an
-- expiry's write-off), the seconds the user's running sessions have used and not captured go to
-- the ledger, from the lots they were used from; the sessions stay locked until that transaction
-- ends, so no heartbeat adds pending seconds meanwhile. Each keeps the hold it has ahead. Lock
-- order as everywhere: the sessions (by id), then the lots. Answers how many sessions it captured.
CREATE FUNCTION capture_pending(p_user_id text, p_now timestamptz)
RETURNS integer
LANGUAGE plpgsql VOLATILE
SET search_path FROM CURRENT
AS $$
DECLARE
  s record;
  captured integer := 0;
BEGIN
  PERFORM 1 FROM voice_sessions WHERE user_id = p_user_id AND status = 'active' ORDER BY id FOR UPDATE;
  FOR s IN SELECT id, held_seconds - pending_seconds AS ahead FROM voice_sessions
           WHERE user_id = p_user_id AND status = 'active' AND pending_seconds > 0 ORDER BY id LOOP
    PERFORM settle_session(s.id, NULL, p_now, NULL, s.ahead, 0);
    captured := captured + 1;
  END LOOP;
  RETURN captured;
END;
$$;

-- start_session as in tenant migration 0019, but for what a retried start of a running session
-- answers as remaining: the session's own pending seconds are used, though still in the lots.
CREATE OR REPLACE FUNCTION start_session(
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
  r_remaining := greatest(0, total - others - s.pending_seconds);
  r_first_session := earlier = 0;
  RETURN NEXT;
END;
$$;
