-- Durable background work and outbound webhooks (docs/adr/0056-durable-jobs-and-outbound-webhooks.md).
--
-- outbox_events: work a tenant's change causes, written in the same transaction as the change, so it
-- exists exactly when the change does. The tenant's role has no rights on the shared job tables
-- (schema pgboss), so a relay running as the platform copies each row there and marks it relayed.
-- ordering_key: rows with the same key are run one at a time in id order (a webhook endpoint).
CREATE TABLE outbox_events (
  id            bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  topic         text NOT NULL CHECK (topic ~ '^[a-z][a-z0-9_.-]{0,99}$'),
  ordering_key  text,
  payload       jsonb NOT NULL,
  created_at    timestamptz(3) NOT NULL DEFAULT now(),
  relayed_at    timestamptz(3)
);
CREATE INDEX outbox_events_unrelayed_idx ON outbox_events (id) WHERE relayed_at IS NULL;

-- Wakes the relay at commit (a NOTIFY inside a transaction that rolls back is never delivered);
-- one notification per statement and schema is enough, the relay reads every unrelayed row.
CREATE FUNCTION outbox_events_notify() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  PERFORM pg_notify('mindbot_outbox', TG_TABLE_SCHEMA);
  RETURN NULL;
END $$;
CREATE TRIGGER outbox_events_notify AFTER INSERT ON outbox_events FOR EACH STATEMENT EXECUTE FUNCTION outbox_events_notify();

-- Where a tenant wants its events sent. The signing secret (whsec_…) is what the receiver verifies with.
CREATE TABLE webhook_endpoints (
  id               text PRIMARY KEY,
  url              text NOT NULL CHECK (length(url) BETWEEN 1 AND 2048),
  description      text NOT NULL DEFAULT '' CHECK (length(description) <= 500),
  events           text[] NOT NULL CHECK (cardinality(events) >= 1),
  secret           text NOT NULL CHECK (secret ~ '^whsec_'),
  status           text NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'disabled')),
  disabled_reason  text,
  failure_streak   integer NOT NULL DEFAULT 0,
  -- the first failure of the current streak: an endpoint failing for WEBHOOK_GIVE_UP_AFTER is disabled
  failing_since    timestamptz(3),
  created_by       text NOT NULL,
  created_at       timestamptz(3) NOT NULL DEFAULT now(),
  updated_at       timestamptz(3) NOT NULL DEFAULT now()
);
CREATE INDEX webhook_endpoints_created_at_idx ON webhook_endpoints (created_at);

-- An event as it is sent (the body), once, whatever the number of endpoints; its id is the
-- webhook-id header, constant across retries and replays so receivers can drop duplicates.
CREATE TABLE webhook_events (
  id          text PRIMARY KEY,
  type        text NOT NULL,
  payload     jsonb NOT NULL,
  created_at  timestamptz(3) NOT NULL DEFAULT now()
);

-- The delivery log: one row per attempt (or per event skipped because its endpoint was disabled).
CREATE TABLE webhook_deliveries (
  id               text PRIMARY KEY,
  endpoint_id      text NOT NULL REFERENCES webhook_endpoints (id) ON DELETE CASCADE,
  event_id         text NOT NULL REFERENCES webhook_events (id),
  event_type       text NOT NULL,
  attempt          integer NOT NULL CHECK (attempt >= 1),
  status           text NOT NULL CHECK (status IN ('succeeded', 'failed', 'skipped')),
  response_status  integer,
  error            text,
  duration_ms      integer,
  created_at       timestamptz(3) NOT NULL DEFAULT now(),
  next_attempt_at  timestamptz(3)
);
CREATE INDEX webhook_deliveries_endpoint_id_id_idx ON webhook_deliveries (endpoint_id, id);
CREATE INDEX webhook_deliveries_event_id_idx ON webhook_deliveries (event_id);
