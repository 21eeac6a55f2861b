-- Settling a voice session in one statement: settle_session(...) does in the database what
-- domain/metering.ts used to do in six round trips (lock the session, lock the user's lots, sum the
-- other sessions' holds, write the ledger entries, take the seconds out of the lots, update the
-- session). Same locks in the same order (session row, then the user's spendable lots by
-- expires_at, id), same idempotency keys, same constraints; see docs/adr/0022.
-- Runs as the tenant's role, in the tenant's schema. The functions run as their caller
-- (SECURITY INVOKER) with the search_path of this schema pinned, so they only ever see this tenant.

-- A ULID (time-sortable like @mindbot/ids newId) for rows written by SQL functions:
-- 48 bits of milliseconds, then 80 random bits, Crockford base32, lower case.
CREATE FUNCTION new_ulid() RETURNS text
LANGUAGE plpgsql VOLATILE
SET search_path FROM CURRENT
AS $$
DECLARE
  alphabet constant text := '0123456789abcdefghjkmnpqrstvwxyz';
  ms bigint := floor(extract(epoch FROM clock_timestamp()) * 1000)::bigint;
  uuid_bytes bytea := uuid_send(gen_random_uuid());
  -- The random bytes of a version 4 UUID: 0..5 and 10..13 (6 and 8 carry version and variant bits).
  rnd bit(80) := ('x' || encode(substring(uuid_bytes FROM 1 FOR 6) || substring(uuid_bytes FROM 11 FOR 4), 'hex'))::bit(80);
  result text := '';
  i int;
BEGIN
  FOR i IN REVERSE 9..0 LOOP
    result := result || substr(alphabet, ((ms >> (5 * i)) & 31)::int + 1, 1);
  END LOOP;
  FOR i IN 0..15 LOOP
    result := result || substr(alphabet, substring(rnd FROM 5 * i + 1 FOR 5)::int + 1, 1);
  END LOOP;
  RETURN result;
END;
$$;

-- Settles session p_session_id up to p_elapsed cumulative seconds (only the part beyond what is
-- already settled is charged) and renews its hold, or ends it when p_ending is given.
--   p_elapsed NULL        settle to what is already settled (the sweeper closing a session)
--   p_skip_locked         the sweeper: skip a session another transaction is settling
--   p_stale_before        the sweeper: only close the session if its last heartbeat is older
-- Outcomes: 'settled', 'ended' (already ended, nothing changed), 'not_found', 'ahead' (p_elapsed
-- is beyond the session's wall-clock age + p_tolerance; nothing changed), 'skipped' (sweeper).
CREATE FUNCTION settle_session(
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
  charge integer;
  still_to_charge integer;
  take integer;
  wall integer;
  i integer;
  -- The entries of one settle share one ULID but for its last two characters, which count them:
  -- they sort in spending order (70 random bits keep settles apart).
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

  -- 3. What the user's other active sessions hold.
  SELECT coalesce(sum(held_seconds), 0)::integer INTO others
    FROM voice_sessions WHERE user_id = s.user_id AND status = 'active' AND id <> s.id;

  spendable := greatest(0, total - others);
  delta := greatest(0, coalesce(p_elapsed, s.settled_seconds) - s.settled_seconds);
  charge := least(delta, spendable);

  -- 4. The debit, one ledger entry per lot; a repeated key fails on the unique index.
  still_to_charge := charge;
  i := 1;
  WHILE still_to_charge > 0 AND i <= cardinality(lot_ids) LOOP
    take := least(lot_remaining[i], still_to_charge);
    IF take > 0 THEN
      INSERT INTO ledger_entries (id, user_id, lot_id, session_id, kind, seconds, idempotency_key)
      VALUES ('led_' || CASE WHEN entries < 1024 THEN entry_base || substr(alphabet, entries / 32 + 1, 1) || substr(alphabet, entries % 32 + 1, 1) ELSE new_ulid() END,
              s.user_id, lot_ids[i], s.id, 'usage', -take,
              'usage:' || s.id || ':' || s.settled_seconds || ':' || lot_ids[i]);
      UPDATE minute_lots SET remaining_seconds = remaining_seconds - take WHERE id = lot_ids[i];
      still_to_charge := still_to_charge - take;
      entries := entries + 1;
    END IF;
    i := i + 1;
  END LOOP;

  -- 5. The session: settled, charged, its new hold (none once ended).
  UPDATE voice_sessions AS v SET
    settled_seconds = v.settled_seconds + delta,
    charged_seconds = v.charged_seconds + charge,
    held_seconds = CASE WHEN p_ending IS NULL THEN least(p_chunk, spendable - charge) ELSE 0 END,
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
  r_remaining := spendable - charge;
  RETURN NEXT;
END;
$$;
