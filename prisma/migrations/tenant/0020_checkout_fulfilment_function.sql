-- A paid checkout fulfilled in one statement: apply_checkout_success(...) does in the database what
-- domain/stripe-events.ts did in seven round trips for checkout.session.completed and
-- checkout.session.async_payment_succeeded (record the event id, lock the purchase, check it, mark it
-- paid, issue its one time card, queue the purchase.completed platform event and the webhook
-- deliveries of the tenant's subscribed endpoints). Same locks in the same order (the event id's
-- unique entry, then the purchase row), same constraints, same rows as @mindbot/jobs emitWebhookEvent
-- writes (the billing test "writes the same outbox rows as emitWebhookEvent" compares them).
-- Runs as the tenant's role, in the tenant's schema (SECURITY INVOKER, search_path pinned to it).
--
-- Ids are made here as @mindbot/ids and the webhook ids of @mindbot/jobs make them ('tc_' and 'evt_'
-- + a lower-case ULID, new_ulid of migration 0005): the ULID library draws each random character
-- with its own getRandomValues call, a third of a millisecond of Node's time per fulfilment.
--
-- p_paid false: the payment is still on its way (payment_status 'unpaid'); a pending purchase moves
-- to processing and nothing is issued. p_codes: activation codes drawn by the caller (CSPRNG), tried
-- in turn while one collides with another card's. p_occurred_at: the event time as the caller
-- writes it in JSON (ISO 8601, milliseconds, Z). p_platform_topic / p_delivery_topic: the outbox
-- topics of @mindbot/jobs (PLATFORM_EVENT_QUEUE, WEBHOOK_DELIVERY_QUEUE), passed so they stay one.
-- Outcomes: 'duplicate' (event id seen before; nothing changed), 'ignored' with r_reason
-- unknown_purchase / checkout_session_mismatch / amount_mismatch, 'unchanged' with
-- already_<status>, 'applied' (r_data: the purchase.completed data when a card was issued).
CREATE FUNCTION apply_checkout_success(
  p_event_id text,
  p_event_type text,
  p_purchase_id text,
  p_session_id text,
  p_amount_total bigint,
  p_currency text,
  p_paid boolean,
  p_payment_intent text,
  p_now timestamptz,
  p_codes text[],
  p_code_expires_at timestamptz,
  p_occurred_at text,
  p_platform_topic text,
  p_delivery_topic text
)
RETURNS TABLE (r_outcome text, r_reason text, r_purchase_id text, r_data jsonb)
LANGUAGE plpgsql VOLATILE
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
