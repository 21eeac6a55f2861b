-- Tenant schema baseline, written by `npm run generate:tenant-baseline`: do not edit it by hand.
-- It builds what the tenant migrations listed below build, run as the tenant role with search_path
-- set to the tenant schema; buildTenantSchema uses it only while every listed checksum still
-- matches its file (docs/adr/0062-tenant-schema-baseline.md).
-- covers 0001_identity.sql sha256:1a6ae31a8eb57b89fb3a170f500cfe90924179b851e4be0c2c26ea3ba60d4d8d
-- covers 0002_sso.sql sha256:3762fab31286354879716d19b203933bac045ac472b5010e94b6cebdf8ec997a
-- covers 0003_billing.sql sha256:2fb267e10846eb7765f96da4a252905edb18729809e90bb8397fa8e8e6f4eb61
-- covers 0005_settle_function.sql sha256:078056f4196f414d795e6e374c6b27f785a396bd35d3ce12c6e88d2ba5b12093
-- covers 0007_partial_refunds.sql sha256:ebba4d68c973f9a37680650ff9f87140cb9a4fd664424e080af59ea18bd1a1ad
-- covers 0009_agent_jobs.sql sha256:fb316a053c4de65c9c35988475ba8cb702e1662af48ef01b3dbba5f3be354d82
-- covers 0010_invitations.sql sha256:5b221fcfbd6c15f451fa94d786d23ba62f5de29604cc7572e1894d11a27fd316
-- covers 0011_audit_chain.sql sha256:71e12169d832ef6459d17a1ff70bac0b82e4b3a013a73b59bcd1c33b81db2c80
-- covers 0012_outbox_and_webhooks.sql sha256:f018dafa80ed2f288a655126460cc0996ab01a17a7fb19f7398b64e70d5313e2
-- covers 0013_webhook_secrets_sealed.sql sha256:045e35ad38af1be839b6839517f805030aca58bb37f41d3b607ea52fd1da4b3b
-- covers 0014_reseller_access.sql sha256:699e4056dc433f6eb21e7498423b46da25a44a72b74854f293e1f61d62496712
-- covers 0015_notifications.sql sha256:7f96fad87b15771badf6e1a524ed2d9ce6e617459bc5d5ed6875f5a9ff21f65f
-- covers 0016_audit_personal_and_retention.sql sha256:98832d9481aa46a0490ea854fb1139c6582966351ad31c6dfe07b0c55467acd6
-- covers 0017_reseller_grants.sql sha256:baf082b170cedec76c53f6a3187d93d6439540051093e42301a54474d5fbe91a
-- covers 0018_outbox_wakes_after_commit.sql sha256:666d3d7fb80cc7b3161b6b282fa9ac17df0eb6faa2ee9b8b9fb310feeba6e9af
-- covers 0019_voice_session_hot_paths.sql sha256:1f1c174403ccf50385c9ecdd2948376e8e4451376d498c5e4e217081e84073e2
-- covers 0020_checkout_fulfilment_function.sql sha256:c838909eeea49ac443db37d57353e6c3c43f7226dc59a204f36edb7b1897b797
-- covers 0021_shared_trigger_functions.sql sha256:abb200b8bc75b260b26ebf1d6b197fbcb4c8101974d6cccc5e65bbd32afe938e
-- covers 0022_settle_once_per_chunk.sql sha256:9eec2615907cd09028373b3ddfc772cf7956306596885cadfb2c41fe35fa9377
-- covers 0101_api_keys.sql sha256:6b5c8b2149a9de3ae05659736e0c95eb631566ede18eb5ec3f4fa8cecb1cda2e
-- covers 0102_api_key_creator_session.sql sha256:89c5446bebffe10468e78bb9c3cb8eec76a39a90ff6d2e12df6bcb2095199f7d

CREATE FUNCTION apply_checkout_success(p_event_id text, p_event_type text, p_purchase_id text, p_session_id text, p_amount_total bigint, p_currency text, p_paid boolean, p_payment_intent text, p_now timestamp with time zone, p_codes text[], p_code_expires_at timestamp with time zone, p_occurred_at text, p_platform_topic text, p_delivery_topic text) RETURNS TABLE(r_outcome text, r_reason text, r_purchase_id text, r_data jsonb)
    LANGUAGE plpgsql
    SET search_path FROM CURRENT
    AS $$
DECLARE
  p purchases%ROWTYPE;
  card_seconds integer;
  code text;
  card text;
  data jsonb;
  endpoint_ids text[];
  webhook_event_id text;
BEGIN
  -- A concurrent delivery of the same event waits here until the first commits, then finds it.
  INSERT INTO processed_webhook_events (event_id, type) VALUES (p_event_id, p_event_type) ON CONFLICT (event_id) DO NOTHING;
  IF NOT FOUND THEN
    RETURN QUERY SELECT 'duplicate'::text, NULL::text, NULL::text, NULL::jsonb;
    RETURN;
  END IF;

  SELECT * INTO p FROM purchases WHERE id = p_purchase_id FOR UPDATE;
  IF NOT FOUND THEN
    RETURN QUERY SELECT 'ignored'::text, 'unknown_purchase'::text, NULL::text, NULL::jsonb;
    RETURN;
  END IF;
  IF p.checkout_session_id IS NOT NULL AND p.checkout_session_id IS DISTINCT FROM p_session_id THEN
    RETURN QUERY SELECT 'ignored'::text, 'checkout_session_mismatch'::text, p.id, NULL::jsonb;
    RETURN;
  END IF;
  IF p_amount_total IS DISTINCT FROM p.amount_cents OR p_currency IS DISTINCT FROM p.currency THEN
    RETURN QUERY SELECT 'ignored'::text, 'amount_mismatch'::text, p.id, NULL::jsonb;
    RETURN;
  END IF;

  IF NOT p_paid THEN
    UPDATE purchases SET status = 'processing', updated_at = p_now WHERE id = p.id AND status = 'pending';
    IF FOUND THEN
      RETURN QUERY SELECT 'applied'::text, NULL::text, p.id, NULL::jsonb;
    ELSE
      RETURN QUERY SELECT 'unchanged'::text, 'already_' || p.status, p.id, NULL::jsonb;
    END IF;
    RETURN;
  END IF;

  -- Paid already, or taken back since: a purchase is fulfilled once.
  IF p.status IN ('paid', 'refunded', 'disputed') THEN
    RETURN QUERY SELECT 'unchanged'::text, 'already_' || p.status, p.id, NULL::jsonb;
    RETURN;
  END IF;
  UPDATE purchases SET status = 'paid', paid_at = p_now, updated_at = p_now,
    checkout_session_id = COALESCE(checkout_session_id, p_session_id),
    payment_intent_id = COALESCE(payment_intent_id, p_payment_intent)
  WHERE id = p.id;

  -- A partial refund that arrived before fulfilment already took its share of the card
  -- (domain/refund-share.ts secondsRefunded: the refunded share, rounded down).
  card_seconds := p.seconds - ((p.seconds::bigint * LEAST(GREATEST(p.refunded_cents, 0), p.amount_cents)) / p.amount_cents)::integer;
  FOREACH code IN ARRAY p_codes LOOP
    card := NULL;
    INSERT INTO time_cards (id, purchase_id, owner_id, activation_code, seconds, code_expires_at)
    VALUES ('tc_' || new_ulid(), p.id, p.user_id, code, card_seconds, p_code_expires_at)
    ON CONFLICT DO NOTHING RETURNING id INTO card;
    IF card IS NULL THEN
      SELECT id INTO card FROM time_cards WHERE purchase_id = p.id;
    END IF;
    IF card IS NOT NULL THEN
      -- In the same transaction as the payment: the tenant's endpoints hear of it exactly when it is paid (ADR 0056).
      data := jsonb_build_object('purchaseId', p.id, 'userId', p.user_id, 'packageId', p.package_id,
        'amount', p.amount_cents, 'currency', p.currency, 'seconds', card_seconds);
      INSERT INTO outbox_events (topic, payload)
      VALUES (p_platform_topic, jsonb_build_object('type', 'purchase.completed', 'data', data, 'occurredAt', p_occurred_at));
      SELECT array_agg(e.id ORDER BY e.id) INTO endpoint_ids
      FROM webhook_endpoints e WHERE e.status = 'active' AND 'purchase.completed' = ANY (e.events);
      IF cardinality(endpoint_ids) > 0 THEN
        webhook_event_id := 'evt_' || new_ulid();
        INSERT INTO webhook_events (id, type, payload, created_at)
        VALUES (webhook_event_id, 'purchase.completed',
          jsonb_build_object('id', webhook_event_id, 'type', 'purchase.completed', 'timestamp', p_occurred_at, 'data', data), p_now);
        -- One delivery per endpoint, queued in endpoint order behind its earlier ones.
        INSERT INTO outbox_events (topic, ordering_key, payload)
        SELECT p_delivery_topic, d.endpoint_id, jsonb_build_object('endpointId', d.endpoint_id, 'eventId', webhook_event_id)
        FROM unnest(endpoint_ids) WITH ORDINALITY AS d(endpoint_id, n)
        ORDER BY d.n;
      END IF;
      RETURN QUERY SELECT 'applied'::text, NULL::text, p.id, data;
      RETURN;
    END IF;
    -- Otherwise the code collided with another card's: try the next one.
  END LOOP;
  RAISE EXCEPTION 'Could not draw a unique activation code in % attempts.', cardinality(p_codes);
END;
$$;

CREATE TABLE audit_log (
    id text NOT NULL,
    actor_id text,
    action text NOT NULL,
    target text,
    data jsonb DEFAULT '{}'::jsonb NOT NULL,
    request_id text,
    created_at timestamp(3) with time zone DEFAULT now() NOT NULL,
    seq bigint DEFAULT 0 NOT NULL,
    prev_hash text DEFAULT ''::text NOT NULL,
    hash text DEFAULT ''::text NOT NULL,
    personal jsonb DEFAULT '{}'::jsonb NOT NULL
);

CREATE FUNCTION audit_entry_canonical(e audit_log) RETURNS text
    LANGUAGE sql IMMUTABLE
    AS $$
  SELECT jsonb_build_array(
    e.seq, e.id, e.actor_id, e.action, e.target, e.data, e.request_id,
    (extract(epoch FROM e.created_at) * 1000)::bigint
  )::text
$$;

CREATE FUNCTION audit_entry_hash(prev_hash text, e audit_log) RETURNS text
    LANGUAGE sql IMMUTABLE
    AS $$
  SELECT encode(sha256(convert_to(prev_hash || audit_entry_canonical(e), 'UTF8')), 'hex')
$$;

CREATE FUNCTION capture_pending(p_user_id text, p_now timestamp with time zone) RETURNS integer
    LANGUAGE plpgsql
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

CREATE FUNCTION new_ulid() RETURNS text
    LANGUAGE plpgsql
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

CREATE FUNCTION refuse_change() RETURNS trigger
    LANGUAGE plpgsql
    AS $$
BEGIN
  RAISE EXCEPTION '% is append-only', TG_TABLE_NAME USING ERRCODE = 'insufficient_privilege';
END $$;

CREATE FUNCTION settle_heartbeat(p_session_id text, p_elapsed integer, p_now timestamp with time zone, p_chunk integer, p_tolerance integer, p_warn integer) RETURNS TABLE(r_outcome text, r_id text, r_user_id text, r_status text, r_settled_seconds integer, r_charged_seconds integer, r_held_seconds integer, r_started_at timestamp with time zone, r_last_heartbeat_at timestamp with time zone, r_ended_at timestamp with time zone, r_end_reason text, r_remaining integer, r_wall_clock integer)
    LANGUAGE plpgsql
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

CREATE FUNCTION settle_session(p_session_id text, p_elapsed integer, p_now timestamp with time zone, p_ending text, p_chunk integer, p_tolerance integer, p_skip_locked boolean DEFAULT false, p_stale_before timestamp with time zone DEFAULT NULL::timestamp with time zone) RETURNS TABLE(r_outcome text, r_id text, r_user_id text, r_status text, r_settled_seconds integer, r_charged_seconds integer, r_held_seconds integer, r_started_at timestamp with time zone, r_last_heartbeat_at timestamp with time zone, r_ended_at timestamp with time zone, r_end_reason text, r_remaining integer, r_wall_clock integer)
    LANGUAGE plpgsql
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

CREATE FUNCTION start_session(p_id text, p_user_id text, p_start_key text, p_persona text, p_job_token_hash text, p_now timestamp with time zone, p_chunk integer, p_slot_lock text, p_concurrent_sessions integer, p_exclusive boolean DEFAULT false) RETURNS TABLE(r_outcome text, r_id text, r_user_id text, r_status text, r_settled_seconds integer, r_charged_seconds integer, r_held_seconds integer, r_started_at timestamp with time zone, r_last_heartbeat_at timestamp with time zone, r_ended_at timestamp with time zone, r_end_reason text, r_remaining integer, r_first_session boolean)
    LANGUAGE plpgsql
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

CREATE FUNCTION start_tickets() RETURNS integer
    LANGUAGE sql IMMUTABLE
    AS $$SELECT 32$$;

CREATE TABLE api_keys (
    id text NOT NULL,
    name text NOT NULL,
    environment text NOT NULL,
    secret_hash text NOT NULL,
    hint text NOT NULL,
    permissions text[] NOT NULL,
    created_by text NOT NULL,
    created_at timestamp(3) with time zone DEFAULT now() NOT NULL,
    last_used_at timestamp(3) with time zone,
    expires_at timestamp(3) with time zone,
    revoked_at timestamp(3) with time zone,
    created_by_session text,
    CONSTRAINT api_keys_environment_check CHECK ((environment = ANY (ARRAY['live'::text, 'test'::text]))),
    CONSTRAINT api_keys_name_check CHECK (((length(name) >= 1) AND (length(name) <= 100))),
    CONSTRAINT api_keys_secret_hash_check CHECK ((secret_hash ~ '^[0-9a-f]{64}$'::text))
);

CREATE TABLE auth_sessions (
    id text NOT NULL,
    user_id text NOT NULL,
    method text NOT NULL,
    connection_id text,
    saml_name_id text,
    saml_session_index text,
    created_at timestamp(3) with time zone DEFAULT now() NOT NULL,
    expires_at timestamp(3) with time zone NOT NULL,
    revoked_at timestamp(3) with time zone,
    revoked_reason text,
    CONSTRAINT auth_sessions_method_check CHECK ((method = ANY (ARRAY['password'::text, 'oidc'::text, 'saml'::text, 'reseller'::text])))
);

CREATE TABLE invitations (
    id text NOT NULL,
    email text NOT NULL,
    roles text[] NOT NULL,
    token_hash text NOT NULL,
    status text DEFAULT 'pending'::text NOT NULL,
    invited_by text,
    expires_at timestamp(3) with time zone NOT NULL,
    created_at timestamp(3) with time zone DEFAULT now() NOT NULL,
    accepted_by text,
    accepted_at timestamp(3) with time zone,
    revoked_at timestamp(3) with time zone,
    CONSTRAINT invitations_email_check CHECK ((email = lower(email))),
    CONSTRAINT invitations_status_check CHECK ((status = ANY (ARRAY['pending'::text, 'accepted'::text, 'revoked'::text])))
);

CREATE TABLE ledger_entries (
    id text NOT NULL,
    user_id text NOT NULL,
    lot_id text NOT NULL,
    session_id text,
    kind text NOT NULL,
    seconds integer NOT NULL,
    idempotency_key text NOT NULL,
    created_at timestamp(3) with time zone DEFAULT now() NOT NULL,
    CONSTRAINT ledger_entries_check CHECK (((seconds <> 0) AND ((seconds > 0) = (kind = 'credit'::text)))),
    CONSTRAINT ledger_entries_kind_check CHECK ((kind = ANY (ARRAY['credit'::text, 'usage'::text, 'reversal'::text, 'expiry'::text])))
);

CREATE TABLE minute_lots (
    id text NOT NULL,
    time_card_id text NOT NULL,
    user_id text NOT NULL,
    granted_seconds integer NOT NULL,
    remaining_seconds integer NOT NULL,
    expires_at timestamp(3) with time zone NOT NULL,
    created_at timestamp(3) with time zone DEFAULT now() NOT NULL,
    CONSTRAINT minute_lots_granted_seconds_check CHECK ((granted_seconds > 0)),
    CONSTRAINT minute_lots_remaining_seconds_check CHECK (((remaining_seconds >= 0) AND (remaining_seconds <= granted_seconds)))
);

CREATE TABLE notification_preferences (
    user_id text NOT NULL,
    low_balance boolean DEFAULT true NOT NULL,
    minutes_expiring boolean DEFAULT true NOT NULL,
    updated_at timestamp(3) with time zone DEFAULT now() NOT NULL
);

CREATE TABLE outbox_events (
    id bigint NOT NULL,
    topic text NOT NULL,
    ordering_key text,
    payload jsonb NOT NULL,
    created_at timestamp(3) with time zone DEFAULT now() NOT NULL,
    relayed_at timestamp(3) with time zone,
    CONSTRAINT outbox_events_topic_check CHECK ((topic ~ '^[a-z][a-z0-9_.-]{0,99}$'::text))
);

ALTER TABLE outbox_events ALTER COLUMN id ADD GENERATED ALWAYS AS IDENTITY (
    SEQUENCE NAME outbox_events_id_seq
    START WITH 1
    INCREMENT BY 1
    NO MINVALUE
    NO MAXVALUE
    CACHE 1
);

CREATE TABLE packages (
    id text NOT NULL,
    name text NOT NULL,
    description text DEFAULT ''::text NOT NULL,
    price_cents integer NOT NULL,
    currency text NOT NULL,
    base_seconds integer NOT NULL,
    bonus_seconds integer DEFAULT 0 NOT NULL,
    active boolean DEFAULT true NOT NULL,
    sort_order integer DEFAULT 0 NOT NULL,
    created_at timestamp(3) with time zone DEFAULT now() NOT NULL,
    updated_at timestamp(3) with time zone DEFAULT now() NOT NULL,
    CONSTRAINT packages_base_seconds_check CHECK (((base_seconds > 0) AND (base_seconds <= 36000000))),
    CONSTRAINT packages_bonus_seconds_check CHECK (((bonus_seconds >= 0) AND (bonus_seconds <= 36000000))),
    CONSTRAINT packages_currency_check CHECK ((currency ~ '^[a-z]{3}$'::text)),
    CONSTRAINT packages_name_check CHECK (((length(name) >= 1) AND (length(name) <= 80))),
    CONSTRAINT packages_price_cents_check CHECK (((price_cents >= 50) AND (price_cents <= 10000000)))
);

CREATE TABLE password_reset_tokens (
    id text NOT NULL,
    user_id text NOT NULL,
    token_hash text NOT NULL,
    expires_at timestamp(3) with time zone NOT NULL,
    used_at timestamp(3) with time zone,
    created_at timestamp(3) with time zone DEFAULT now() NOT NULL
);

CREATE TABLE processed_webhook_events (
    event_id text NOT NULL,
    type text NOT NULL,
    processed_at timestamp(3) with time zone DEFAULT now() NOT NULL
);

CREATE TABLE purchases (
    id text NOT NULL,
    user_id text NOT NULL,
    package_id text NOT NULL,
    package_name text NOT NULL,
    amount_cents integer NOT NULL,
    currency text NOT NULL,
    application_fee_cents integer NOT NULL,
    seconds integer NOT NULL,
    status text DEFAULT 'pending'::text NOT NULL,
    request_key text,
    checkout_session_id text,
    checkout_url text,
    payment_intent_id text,
    paid_at timestamp(3) with time zone,
    created_at timestamp(3) with time zone DEFAULT now() NOT NULL,
    updated_at timestamp(3) with time zone DEFAULT now() NOT NULL,
    refunded_cents integer DEFAULT 0 NOT NULL,
    CONSTRAINT purchases_amount_cents_check CHECK ((amount_cents > 0)),
    CONSTRAINT purchases_check CHECK (((application_fee_cents >= 0) AND (application_fee_cents <= amount_cents))),
    CONSTRAINT purchases_refunded_cents_check CHECK (((refunded_cents >= 0) AND (refunded_cents <= amount_cents))),
    CONSTRAINT purchases_seconds_check CHECK ((seconds > 0)),
    CONSTRAINT purchases_status_check CHECK ((status = ANY (ARRAY['pending'::text, 'processing'::text, 'paid'::text, 'failed'::text, 'expired'::text, 'refunded'::text, 'disputed'::text])))
);

CREATE TABLE refresh_tokens (
    id text NOT NULL,
    session_id text NOT NULL,
    token_hash text NOT NULL,
    created_at timestamp(3) with time zone DEFAULT now() NOT NULL,
    expires_at timestamp(3) with time zone NOT NULL,
    rotated_at timestamp(3) with time zone
);

CREATE TABLE roles (
    id text NOT NULL,
    name text NOT NULL,
    description text DEFAULT ''::text NOT NULL,
    permissions text[] DEFAULT '{}'::text[] NOT NULL,
    created_at timestamp(3) with time zone DEFAULT now() NOT NULL
);

CREATE TABLE sent_notifications (
    key text NOT NULL,
    kind text NOT NULL,
    user_id text NOT NULL,
    sent_at timestamp(3) with time zone DEFAULT now() NOT NULL,
    CONSTRAINT sent_notifications_key_check CHECK (((length(key) >= 1) AND (length(key) <= 200))),
    CONSTRAINT sent_notifications_kind_check CHECK ((kind = ANY (ARRAY['low_balance'::text, 'minutes_expiring'::text, 'purchase_receipt'::text])))
);

CREATE TABLE sso_connections (
    id text NOT NULL,
    kind text NOT NULL,
    name text NOT NULL,
    status text DEFAULT 'active'::text NOT NULL,
    settings jsonb NOT NULL,
    secrets text,
    role_rules jsonb DEFAULT '[]'::jsonb NOT NULL,
    default_roles text[] DEFAULT '{member}'::text[] NOT NULL,
    created_at timestamp(3) with time zone DEFAULT now() NOT NULL,
    updated_at timestamp(3) with time zone DEFAULT now() NOT NULL,
    CONSTRAINT sso_connections_kind_check CHECK ((kind = ANY (ARRAY['saml'::text, 'oidc'::text]))),
    CONSTRAINT sso_connections_status_check CHECK ((status = ANY (ARRAY['active'::text, 'disabled'::text])))
);

CREATE TABLE sso_domains (
    domain text NOT NULL,
    connection_id text,
    verification_token text NOT NULL,
    verified_at timestamp(3) with time zone,
    created_at timestamp(3) with time zone DEFAULT now() NOT NULL,
    CONSTRAINT sso_domains_domain_check CHECK ((domain = lower(domain)))
);

CREATE TABLE time_cards (
    id text NOT NULL,
    purchase_id text NOT NULL,
    owner_id text NOT NULL,
    activation_code text NOT NULL,
    seconds integer NOT NULL,
    status text DEFAULT 'issued'::text NOT NULL,
    activated_by text,
    activated_at timestamp(3) with time zone,
    code_expires_at timestamp(3) with time zone NOT NULL,
    created_at timestamp(3) with time zone DEFAULT now() NOT NULL,
    CONSTRAINT time_cards_activation_code_check CHECK ((activation_code ~ '^[23456789ABCDEFGHJKMNPQRSTUVWXYZ]{12}$'::text)),
    CONSTRAINT time_cards_check CHECK ((((status = 'active'::text) = (activated_at IS NOT NULL)) OR (status = 'revoked'::text))),
    CONSTRAINT time_cards_seconds_check CHECK ((seconds > 0)),
    CONSTRAINT time_cards_status_check CHECK ((status = ANY (ARRAY['issued'::text, 'active'::text, 'revoked'::text])))
);

CREATE TABLE user_identities (
    id text NOT NULL,
    user_id text NOT NULL,
    connection_id text NOT NULL,
    issuer text NOT NULL,
    subject text NOT NULL,
    email text,
    groups text[] DEFAULT '{}'::text[] NOT NULL,
    profile jsonb DEFAULT '{}'::jsonb NOT NULL,
    last_login_at timestamp(3) with time zone DEFAULT now() NOT NULL,
    created_at timestamp(3) with time zone DEFAULT now() NOT NULL
);

CREATE TABLE user_roles (
    user_id text NOT NULL,
    role_id text NOT NULL,
    granted_at timestamp(3) with time zone DEFAULT now() NOT NULL,
    source text DEFAULT 'grant'::text NOT NULL,
    reseller_slug text,
    CONSTRAINT user_roles_check CHECK (((reseller_slug IS NULL) OR (source = 'grant'::text))),
    CONSTRAINT user_roles_source_check CHECK ((source = ANY (ARRAY['grant'::text, 'idp'::text])))
);

CREATE TABLE users (
    id text NOT NULL,
    email text NOT NULL,
    display_name text,
    password_hash text,
    status text DEFAULT 'active'::text NOT NULL,
    created_at timestamp(3) with time zone DEFAULT now() NOT NULL,
    updated_at timestamp(3) with time zone DEFAULT now() NOT NULL,
    failed_logins integer DEFAULT 0 NOT NULL,
    locked_until timestamp(3) with time zone,
    CONSTRAINT users_email_check CHECK ((email = lower(email))),
    CONSTRAINT users_failed_logins_check CHECK ((failed_logins >= 0)),
    CONSTRAINT users_status_check CHECK ((status = ANY (ARRAY['active'::text, 'disabled'::text])))
);

CREATE TABLE voice_session_events (
    session_id text NOT NULL,
    seq integer NOT NULL,
    user_id text NOT NULL,
    kind text NOT NULL,
    text text NOT NULL,
    tool_name text,
    tool_arguments jsonb,
    created_at timestamp(3) with time zone DEFAULT now() NOT NULL,
    CONSTRAINT voice_session_events_check CHECK (((kind = 'tool'::text) = (tool_name IS NOT NULL))),
    CONSTRAINT voice_session_events_kind_check CHECK ((kind = ANY (ARRAY['user'::text, 'agent'::text, 'tool'::text]))),
    CONSTRAINT voice_session_events_seq_check CHECK ((seq >= 0))
);

CREATE TABLE voice_sessions (
    id text NOT NULL,
    user_id text NOT NULL,
    start_key text NOT NULL,
    status text DEFAULT 'active'::text NOT NULL,
    settled_seconds integer DEFAULT 0 NOT NULL,
    charged_seconds integer DEFAULT 0 NOT NULL,
    held_seconds integer DEFAULT 0 NOT NULL,
    end_reason text,
    started_at timestamp(3) with time zone DEFAULT now() NOT NULL,
    last_heartbeat_at timestamp(3) with time zone DEFAULT now() NOT NULL,
    ended_at timestamp(3) with time zone,
    job_token_hash text,
    persona text,
    low_balance_at timestamp(3) with time zone,
    pending_seconds integer DEFAULT 0 NOT NULL,
    CONSTRAINT voice_sessions_check CHECK (((charged_seconds >= 0) AND (charged_seconds <= settled_seconds))),
    CONSTRAINT voice_sessions_check1 CHECK (((status = 'ended'::text) = (ended_at IS NOT NULL))),
    CONSTRAINT voice_sessions_check2 CHECK (((status = 'active'::text) OR (held_seconds = 0))),
    CONSTRAINT voice_sessions_held_seconds_check CHECK ((held_seconds >= 0)),
    CONSTRAINT voice_sessions_settled_seconds_check CHECK ((settled_seconds >= 0)),
    CONSTRAINT voice_sessions_status_check CHECK ((status = ANY (ARRAY['active'::text, 'ended'::text])))
)
WITH (fillfactor='80');

CREATE TABLE webhook_deliveries (
    id text NOT NULL,
    endpoint_id text NOT NULL,
    event_id text NOT NULL,
    event_type text NOT NULL,
    attempt integer NOT NULL,
    status text NOT NULL,
    response_status integer,
    error text,
    duration_ms integer,
    created_at timestamp(3) with time zone DEFAULT now() NOT NULL,
    next_attempt_at timestamp(3) with time zone,
    CONSTRAINT webhook_deliveries_attempt_check CHECK ((attempt >= 1)),
    CONSTRAINT webhook_deliveries_status_check CHECK ((status = ANY (ARRAY['succeeded'::text, 'failed'::text, 'skipped'::text])))
);

CREATE TABLE webhook_endpoints (
    id text NOT NULL,
    url text NOT NULL,
    description text DEFAULT ''::text NOT NULL,
    events text[] NOT NULL,
    secret text NOT NULL,
    status text DEFAULT 'active'::text NOT NULL,
    disabled_reason text,
    failure_streak integer DEFAULT 0 NOT NULL,
    failing_since timestamp(3) with time zone,
    created_by text NOT NULL,
    created_at timestamp(3) with time zone DEFAULT now() NOT NULL,
    updated_at timestamp(3) with time zone DEFAULT now() NOT NULL,
    CONSTRAINT webhook_endpoints_description_check CHECK ((length(description) <= 500)),
    CONSTRAINT webhook_endpoints_events_check CHECK ((cardinality(events) >= 1)),
    CONSTRAINT webhook_endpoints_secret_check CHECK (((secret ~ '^whsec_'::text) OR (secret ~ '^\{"v":'::text))),
    CONSTRAINT webhook_endpoints_status_check CHECK ((status = ANY (ARRAY['active'::text, 'disabled'::text]))),
    CONSTRAINT webhook_endpoints_url_check CHECK (((length(url) >= 1) AND (length(url) <= 2048)))
);

CREATE TABLE webhook_events (
    id text NOT NULL,
    type text NOT NULL,
    payload jsonb NOT NULL,
    created_at timestamp(3) with time zone DEFAULT now() NOT NULL
);

INSERT INTO "roles" ("id", "name", "description", "permissions", "created_at") VALUES
  ('rol_owner', 'owner', 'Owns the tenant: everything an admin can do, plus billing settings.', '{*}', DEFAULT),
  ('rol_admin', 'admin', 'Manages users, connections, packages and API keys.', '{users:*,sso:*,billing:packages,billing:reports,api-keys:*}', DEFAULT),
  ('rol_member', 'member', 'Talks to the agent and manages their own time cards.', '{voice:sessions,billing:self}', DEFAULT),
  ('rol_reseller', 'reseller', 'An admin of the reseller that sells to this tenant: manages it as an admin does, but never its owners.', '{users:*,sso:*,billing:packages,billing:reports,api-keys:*}', DEFAULT);

INSERT INTO "packages" ("id", "name", "description", "price_cents", "currency", "base_seconds", "bonus_seconds", "active", "sort_order", "created_at", "updated_at") VALUES
  ('pkg_starter', 'Starter', '1 hour', '999', 'usd', '3600', '0', 'true', '10', DEFAULT, DEFAULT),
  ('pkg_basic', 'Basic', '5 hours + 30 minutes bonus', '4499', 'usd', '18000', '1800', 'true', '20', DEFAULT, DEFAULT),
  ('pkg_premium', 'Premium', '10 hours + 2 hours bonus', '7999', 'usd', '36000', '7200', 'true', '30', DEFAULT, DEFAULT),
  ('pkg_pro', 'Pro', '25 hours + 5 hours bonus', '17999', 'usd', '90000', '18000', 'true', '40', DEFAULT, DEFAULT),
  ('pkg_enterprise', 'Enterprise', '50 hours + 10 hours bonus', '29999', 'usd', '180000', '36000', 'true', '50', DEFAULT, DEFAULT);

ALTER TABLE ONLY api_keys
    ADD CONSTRAINT api_keys_pkey PRIMARY KEY (id);

ALTER TABLE ONLY audit_log
    ADD CONSTRAINT audit_log_pkey PRIMARY KEY (id);

ALTER TABLE ONLY auth_sessions
    ADD CONSTRAINT auth_sessions_pkey PRIMARY KEY (id);

ALTER TABLE ONLY invitations
    ADD CONSTRAINT invitations_pkey PRIMARY KEY (id);

ALTER TABLE ONLY invitations
    ADD CONSTRAINT invitations_token_hash_key UNIQUE (token_hash);

ALTER TABLE ONLY ledger_entries
    ADD CONSTRAINT ledger_entries_idempotency_key_key UNIQUE (idempotency_key);

ALTER TABLE ONLY ledger_entries
    ADD CONSTRAINT ledger_entries_pkey PRIMARY KEY (id);

ALTER TABLE ONLY minute_lots
    ADD CONSTRAINT minute_lots_pkey PRIMARY KEY (id);

ALTER TABLE ONLY minute_lots
    ADD CONSTRAINT minute_lots_time_card_id_key UNIQUE (time_card_id);

ALTER TABLE ONLY notification_preferences
    ADD CONSTRAINT notification_preferences_pkey PRIMARY KEY (user_id);

ALTER TABLE ONLY outbox_events
    ADD CONSTRAINT outbox_events_pkey PRIMARY KEY (id);

ALTER TABLE ONLY packages
    ADD CONSTRAINT packages_pkey PRIMARY KEY (id);

ALTER TABLE ONLY password_reset_tokens
    ADD CONSTRAINT password_reset_tokens_pkey PRIMARY KEY (id);

ALTER TABLE ONLY processed_webhook_events
    ADD CONSTRAINT processed_webhook_events_pkey PRIMARY KEY (event_id);

ALTER TABLE ONLY purchases
    ADD CONSTRAINT purchases_checkout_session_id_key UNIQUE (checkout_session_id);

ALTER TABLE ONLY purchases
    ADD CONSTRAINT purchases_payment_intent_id_key UNIQUE (payment_intent_id);

ALTER TABLE ONLY purchases
    ADD CONSTRAINT purchases_pkey PRIMARY KEY (id);

ALTER TABLE ONLY refresh_tokens
    ADD CONSTRAINT refresh_tokens_pkey PRIMARY KEY (id);

ALTER TABLE ONLY roles
    ADD CONSTRAINT roles_name_key UNIQUE (name);

ALTER TABLE ONLY roles
    ADD CONSTRAINT roles_pkey PRIMARY KEY (id);

ALTER TABLE ONLY sent_notifications
    ADD CONSTRAINT sent_notifications_pkey PRIMARY KEY (key);

ALTER TABLE ONLY sso_connections
    ADD CONSTRAINT sso_connections_pkey PRIMARY KEY (id);

ALTER TABLE ONLY sso_domains
    ADD CONSTRAINT sso_domains_pkey PRIMARY KEY (domain);

ALTER TABLE ONLY time_cards
    ADD CONSTRAINT time_cards_activation_code_key UNIQUE (activation_code);

ALTER TABLE ONLY time_cards
    ADD CONSTRAINT time_cards_pkey PRIMARY KEY (id);

ALTER TABLE ONLY time_cards
    ADD CONSTRAINT time_cards_purchase_id_key UNIQUE (purchase_id);

ALTER TABLE ONLY user_identities
    ADD CONSTRAINT user_identities_pkey PRIMARY KEY (id);

ALTER TABLE ONLY user_roles
    ADD CONSTRAINT user_roles_pkey PRIMARY KEY (user_id, role_id);

ALTER TABLE ONLY users
    ADD CONSTRAINT users_pkey PRIMARY KEY (id);

ALTER TABLE ONLY voice_session_events
    ADD CONSTRAINT voice_session_events_pkey PRIMARY KEY (session_id, seq);

ALTER TABLE voice_sessions
    ADD CONSTRAINT voice_sessions_pending_ended_check CHECK (((status = 'active'::text) OR (pending_seconds = 0))) NOT VALID;

ALTER TABLE voice_sessions
    ADD CONSTRAINT voice_sessions_pending_seconds_check CHECK (((pending_seconds >= 0) AND (pending_seconds <= charged_seconds) AND (pending_seconds <= held_seconds))) NOT VALID;

ALTER TABLE ONLY voice_sessions
    ADD CONSTRAINT voice_sessions_pkey PRIMARY KEY (id);

ALTER TABLE ONLY voice_sessions
    ADD CONSTRAINT voice_sessions_start_key_key UNIQUE (start_key);

ALTER TABLE ONLY webhook_deliveries
    ADD CONSTRAINT webhook_deliveries_pkey PRIMARY KEY (id);

ALTER TABLE ONLY webhook_endpoints
    ADD CONSTRAINT webhook_endpoints_pkey PRIMARY KEY (id);

ALTER TABLE ONLY webhook_events
    ADD CONSTRAINT webhook_events_pkey PRIMARY KEY (id);

CREATE INDEX api_keys_created_at_idx ON api_keys USING btree (created_at);

CREATE UNIQUE INDEX api_keys_secret_hash_key ON api_keys USING btree (secret_hash);

CREATE INDEX audit_log_action_idx ON audit_log USING btree (action, seq);

CREATE INDEX audit_log_actor_id_idx ON audit_log USING btree (actor_id, seq);

CREATE INDEX audit_log_created_at_idx ON audit_log USING btree (created_at);

CREATE UNIQUE INDEX audit_log_seq_key ON audit_log USING btree (seq);

CREATE INDEX audit_log_target_idx ON audit_log USING btree (target, seq);

CREATE INDEX auth_sessions_user_id_idx ON auth_sessions USING btree (user_id);

CREATE INDEX invitations_created_at_idx ON invitations USING btree (created_at);

CREATE INDEX invitations_pending_email_idx ON invitations USING btree (email) WHERE (status = 'pending'::text);

CREATE INDEX ledger_entries_lot_id_idx ON ledger_entries USING btree (lot_id);

CREATE INDEX ledger_entries_session_id_idx ON ledger_entries USING btree (session_id);

CREATE INDEX ledger_entries_user_id_created_at_idx ON ledger_entries USING btree (user_id, created_at);

CREATE INDEX minute_lots_user_id_expires_at_idx ON minute_lots USING btree (user_id, expires_at, id);

CREATE INDEX outbox_events_unrelayed_idx ON outbox_events USING btree (id) WHERE (relayed_at IS NULL);

CREATE UNIQUE INDEX password_reset_tokens_token_hash_key ON password_reset_tokens USING btree (token_hash);

CREATE INDEX purchases_user_id_created_at_idx ON purchases USING btree (user_id, created_at);

CREATE UNIQUE INDEX purchases_user_request_key ON purchases USING btree (user_id, request_key);

CREATE INDEX refresh_tokens_session_id_idx ON refresh_tokens USING btree (session_id);

CREATE UNIQUE INDEX refresh_tokens_token_hash_key ON refresh_tokens USING btree (token_hash);

CREATE INDEX sent_notifications_user_id_idx ON sent_notifications USING btree (user_id);

CREATE INDEX sso_domains_connection_id_idx ON sso_domains USING btree (connection_id);

CREATE INDEX time_cards_owner_id_idx ON time_cards USING btree (owner_id);

CREATE UNIQUE INDEX user_identities_connection_id_issuer_subject_key ON user_identities USING btree (connection_id, issuer, subject);

CREATE INDEX user_identities_user_id_idx ON user_identities USING btree (user_id);

CREATE INDEX user_roles_role_id_idx ON user_roles USING btree (role_id);

CREATE UNIQUE INDEX users_email_key ON users USING btree (email);

CREATE INDEX voice_session_events_user_idx ON voice_session_events USING btree (user_id, created_at);

CREATE INDEX voice_sessions_active_idx ON voice_sessions USING btree (id) WHERE (status = 'active'::text);

CREATE INDEX voice_sessions_user_id_status_idx ON voice_sessions USING btree (user_id, status);

CREATE INDEX webhook_deliveries_endpoint_id_id_idx ON webhook_deliveries USING btree (endpoint_id, id);

CREATE INDEX webhook_deliveries_event_id_idx ON webhook_deliveries USING btree (event_id);

CREATE INDEX webhook_endpoints_created_at_idx ON webhook_endpoints USING btree (created_at);

CREATE TRIGGER audit_log_append_only BEFORE DELETE OR UPDATE ON audit_log FOR EACH ROW EXECUTE FUNCTION tenant_common.guard_audit_log();

CREATE TRIGGER audit_log_chain BEFORE INSERT ON audit_log FOR EACH ROW EXECUTE FUNCTION tenant_common.chain_audit_entry();

CREATE TRIGGER ledger_entries_append_only BEFORE DELETE OR UPDATE ON ledger_entries FOR EACH ROW EXECUTE FUNCTION tenant_common.guard_ledger_entry();

ALTER TABLE ONLY auth_sessions
    ADD CONSTRAINT auth_sessions_connection_id_fkey FOREIGN KEY (connection_id) REFERENCES sso_connections(id) ON DELETE SET NULL;

ALTER TABLE ONLY auth_sessions
    ADD CONSTRAINT auth_sessions_user_id_fkey FOREIGN KEY (user_id) REFERENCES users(id) ON DELETE CASCADE;

ALTER TABLE ONLY ledger_entries
    ADD CONSTRAINT ledger_entries_lot_id_fkey FOREIGN KEY (lot_id) REFERENCES minute_lots(id);

ALTER TABLE ONLY ledger_entries
    ADD CONSTRAINT ledger_entries_session_id_fkey FOREIGN KEY (session_id) REFERENCES voice_sessions(id);

ALTER TABLE ONLY minute_lots
    ADD CONSTRAINT minute_lots_time_card_id_fkey FOREIGN KEY (time_card_id) REFERENCES time_cards(id);

ALTER TABLE ONLY password_reset_tokens
    ADD CONSTRAINT password_reset_tokens_user_id_fkey FOREIGN KEY (user_id) REFERENCES users(id) ON DELETE CASCADE;

ALTER TABLE ONLY purchases
    ADD CONSTRAINT purchases_package_id_fkey FOREIGN KEY (package_id) REFERENCES packages(id);

ALTER TABLE ONLY refresh_tokens
    ADD CONSTRAINT refresh_tokens_session_id_fkey FOREIGN KEY (session_id) REFERENCES auth_sessions(id) ON DELETE CASCADE;

ALTER TABLE ONLY sso_domains
    ADD CONSTRAINT sso_domains_connection_id_fkey FOREIGN KEY (connection_id) REFERENCES sso_connections(id) ON DELETE SET NULL;

ALTER TABLE ONLY time_cards
    ADD CONSTRAINT time_cards_purchase_id_fkey FOREIGN KEY (purchase_id) REFERENCES purchases(id);

ALTER TABLE ONLY user_identities
    ADD CONSTRAINT user_identities_connection_id_fkey FOREIGN KEY (connection_id) REFERENCES sso_connections(id) ON DELETE CASCADE;

ALTER TABLE ONLY user_identities
    ADD CONSTRAINT user_identities_user_id_fkey FOREIGN KEY (user_id) REFERENCES users(id) ON DELETE CASCADE;

ALTER TABLE ONLY user_roles
    ADD CONSTRAINT user_roles_role_id_fkey FOREIGN KEY (role_id) REFERENCES roles(id) ON DELETE CASCADE;

ALTER TABLE ONLY user_roles
    ADD CONSTRAINT user_roles_user_id_fkey FOREIGN KEY (user_id) REFERENCES users(id) ON DELETE CASCADE;

ALTER TABLE ONLY voice_session_events
    ADD CONSTRAINT voice_session_events_session_id_fkey FOREIGN KEY (session_id) REFERENCES voice_sessions(id);

ALTER TABLE ONLY webhook_deliveries
    ADD CONSTRAINT webhook_deliveries_endpoint_id_fkey FOREIGN KEY (endpoint_id) REFERENCES webhook_endpoints(id) ON DELETE CASCADE;

ALTER TABLE ONLY webhook_deliveries
    ADD CONSTRAINT webhook_deliveries_event_id_fkey FOREIGN KEY (event_id) REFERENCES webhook_events(id);
