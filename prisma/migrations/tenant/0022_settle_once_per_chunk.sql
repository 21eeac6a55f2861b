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
ALTER TABLE voice_sessions
  ADD COLUMN pending_seconds integer NOT NULL DEFAULT 0,
  ADD CONSTRAINT voice_sessions_pending_seconds_check
    CHECK (pending_seconds >= 0 AND pending_seconds <= charged_seconds AND pending_seconds <= held_seconds),
  ADD CONSTRAINT voice_sessions_pending_ended_check CHECK (status = 'active' OR pending_seconds = 0);

-- Same signature, outcomes and locks as tenant migration 0005; the capture of what is pending is new.
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
  total integer;
  others integer;
  spendable integer;
  delta integer;
  owed integer;
  charge integer;
  still_to_capture integer;
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

  -- 2. The user's spendable lots, locked in spending order (first-expiring-first, then oldest).
  SELECT coalesce(array_agg(l.id ORDER BY l.expires_at, l.id), '{}'),
         coalesce(array_agg(l.remaining_seconds ORDER BY l.expires_at, l.id), '{}'),
         coalesce(sum(l.remaining_seconds), 0)::integer
    INTO lot_ids, lot_remaining, total
    FROM (SELECT id, remaining_seconds, expires_at FROM minute_lots
          WHERE user_id = s.user_id AND expires_at > p_now AND remaining_seconds > 0
          ORDER BY expires_at, id
          FOR UPDATE) AS l;

  -- 3. What the user's other active sessions hold (their pending seconds included).
  SELECT coalesce(sum(held_seconds), 0)::integer INTO others
    FROM voice_sessions WHERE user_id = s.user_id AND status = 'active' AND id <> s.id;

  -- The lots still carry this session's pending seconds. Its hold kept other sessions off them, so
  -- they are all there unless a refund or an expiry took lot time since: what is gone of them can
  -- no longer be collected, and the charge says so.
  owed := least(s.pending_seconds, total);
  spendable := greatest(0, total - others);
  delta := greatest(0, coalesce(p_elapsed, s.settled_seconds) - s.settled_seconds);
  charge := least(delta, greatest(0, spendable - owed));

  -- 4. The capture, one ledger entry per lot; a repeated key fails on the unique index. The key
  -- counts the session's captured seconds before this capture, which only grows.
  still_to_capture := owed + charge;
  i := 1;
  WHILE still_to_capture > 0 AND i <= cardinality(lot_ids) LOOP
    take := least(lot_remaining[i], still_to_capture);
    IF take > 0 THEN
      INSERT INTO ledger_entries (id, user_id, lot_id, session_id, kind, seconds, idempotency_key)
      VALUES ('led_' || CASE WHEN entries < 1024 THEN entry_base || substr(alphabet, entries / 32 + 1, 1) || substr(alphabet, entries % 32 + 1, 1) ELSE new_ulid() END,
              s.user_id, lot_ids[i], s.id, 'usage', -take,
              'capture:' || s.id || ':' || (s.charged_seconds - s.pending_seconds) || ':' || lot_ids[i]);
      UPDATE minute_lots SET remaining_seconds = remaining_seconds - take WHERE id = lot_ids[i];
      still_to_capture := still_to_capture - take;
      entries := entries + 1;
    END IF;
    i := i + 1;
  END LOOP;

  -- 5. The session: settled, charged (what was pending and could not be captured comes off), its
  -- new hold (none once ended), nothing pending.
  UPDATE voice_sessions AS v SET
    settled_seconds = v.settled_seconds + delta,
    charged_seconds = v.charged_seconds - v.pending_seconds + owed + charge,
    pending_seconds = 0,
    held_seconds = CASE WHEN p_ending IS NULL THEN least(p_chunk, greatest(0, spendable - owed - charge)) ELSE 0 END,
    last_heartbeat_at = CASE WHEN p_ending = 'abandoned' THEN v.last_heartbeat_at ELSE p_now END,
    status = CASE WHEN p_ending IS NULL THEN 'active' ELSE 'ended' END,
    ended_at = CASE WHEN p_ending IS NULL THEN NULL ELSE p_now END,
    end_reason = p_ending
  WHERE v.id = s.id
  RETURNING v.* INTO s;

  r_outcome := 'settled';
  r_id := s.id; r_user_id := s.user_id; r_status := s.status; r_settled_seconds := s.settled_seconds;
  r_charged_seconds := s.charged_seconds; r_held_seconds := s.held_seconds; r_started_at := s.started_at;
  r_last_heartbeat_at := s.last_heartbeat_at; r_ended_at := s.ended_at; r_end_reason := s.end_reason;
  r_remaining := greatest(0, spendable - owed - charge);
  RETURN NEXT;
END;
$$;

-- A heartbeat: the session row alone while its hold covers the new seconds with at least half a
-- chunk left ahead (the hold is renewed to a chunk at each capture, so a session always has that
-- much reserved between heartbeats); settle_session otherwise. Same outcomes as tenant migration
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
  v voice_sessions%ROWTYPE;
  total integer;
  others integer;
BEGIN
  UPDATE voice_sessions AS u SET
    settled_seconds = u.settled_seconds + greatest(0, p_elapsed - u.settled_seconds),
    charged_seconds = u.charged_seconds + greatest(0, p_elapsed - u.settled_seconds),
    pending_seconds = u.pending_seconds + greatest(0, p_elapsed - u.settled_seconds),
    last_heartbeat_at = p_now
  WHERE u.id = p_session_id AND u.status = 'active'
    AND u.pending_seconds + greatest(0, p_elapsed - u.settled_seconds) <= u.held_seconds - (p_chunk + 1) / 2
    AND p_elapsed <= floor(extract(epoch FROM (p_now - u.started_at)))::integer + p_tolerance
  RETURNING u.* INTO v;

  IF FOUND THEN
    -- What the user may still spend: the unexpired lots less every active session's hold; this
    -- session's own hold beyond its pending seconds is still its to use.
    SELECT coalesce(sum(remaining_seconds), 0)::integer INTO total
      FROM minute_lots WHERE user_id = v.user_id AND expires_at > p_now AND remaining_seconds > 0;
    SELECT coalesce(sum(held_seconds), 0)::integer INTO others
      FROM voice_sessions WHERE user_id = v.user_id AND status = 'active' AND id <> v.id;
    r_remaining := greatest(0, total - others - v.pending_seconds);
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
