-- Billing: packages, purchases, time cards, minute lots, the append-only minute ledger, voice
-- sessions and processed webhook events. Runs as the tenant's role, in the tenant's schema.
-- Money is integer minor units (cents), time is integer seconds.

CREATE TABLE packages (
  id             text PRIMARY KEY,
  name           text NOT NULL CHECK (length(name) BETWEEN 1 AND 80),
  description    text NOT NULL DEFAULT '',
  price_cents    integer NOT NULL CHECK (price_cents BETWEEN 50 AND 10000000),
  currency       text NOT NULL CHECK (currency ~ '^[a-z]{3}$'),
  base_seconds   integer NOT NULL CHECK (base_seconds > 0 AND base_seconds <= 36000000),
  bonus_seconds  integer NOT NULL DEFAULT 0 CHECK (bonus_seconds >= 0 AND bonus_seconds <= 36000000),
  active         boolean NOT NULL DEFAULT true,
  sort_order     integer NOT NULL DEFAULT 0,
  created_at     timestamptz(3) NOT NULL DEFAULT now(),
  updated_at     timestamptz(3) NOT NULL DEFAULT now()
);

-- The defaults every tenant starts with (prices in USD cents; admins may change them).
INSERT INTO packages (id, name, description, price_cents, currency, base_seconds, bonus_seconds, sort_order) VALUES
  ('pkg_starter', 'Starter', '1 hour', 999, 'usd', 3600, 0, 10),
  ('pkg_basic', 'Basic', '5 hours + 30 minutes bonus', 4499, 'usd', 18000, 1800, 20),
  ('pkg_premium', 'Premium', '10 hours + 2 hours bonus', 7999, 'usd', 36000, 7200, 30),
  ('pkg_pro', 'Pro', '25 hours + 5 hours bonus', 17999, 'usd', 90000, 18000, 40),
  ('pkg_enterprise', 'Enterprise', '50 hours + 10 hours bonus', 29999, 'usd', 180000, 36000, 50);

CREATE TABLE purchases (
  id                       text PRIMARY KEY,
  user_id                  text NOT NULL,
  package_id               text NOT NULL REFERENCES packages (id),
  -- What was sold, as it was when sold: later package edits do not change a purchase.
  package_name             text NOT NULL,
  amount_cents             integer NOT NULL CHECK (amount_cents > 0),
  currency                 text NOT NULL,
  application_fee_cents    integer NOT NULL CHECK (application_fee_cents >= 0 AND application_fee_cents <= amount_cents),
  seconds                  integer NOT NULL CHECK (seconds > 0),
  status                   text NOT NULL DEFAULT 'pending'
                           CHECK (status IN ('pending', 'processing', 'paid', 'failed', 'expired', 'refunded', 'disputed')),
  request_key              text,
  checkout_session_id      text UNIQUE,
  checkout_url             text,
  payment_intent_id        text UNIQUE,
  paid_at                  timestamptz(3),
  created_at               timestamptz(3) NOT NULL DEFAULT now(),
  updated_at               timestamptz(3) NOT NULL DEFAULT now()
);
CREATE UNIQUE INDEX purchases_user_request_key ON purchases (user_id, request_key);
CREATE INDEX purchases_user_id_created_at_idx ON purchases (user_id, created_at);

CREATE TABLE time_cards (
  id               text PRIMARY KEY,
  -- One card per purchase: fulfilment is idempotent by business key.
  purchase_id      text NOT NULL UNIQUE REFERENCES purchases (id),
  owner_id         text NOT NULL,
  activation_code  text NOT NULL UNIQUE CHECK (activation_code ~ '^[23456789ABCDEFGHJKMNPQRSTUVWXYZ]{12}$'),
  seconds          integer NOT NULL CHECK (seconds > 0),
  status           text NOT NULL DEFAULT 'issued' CHECK (status IN ('issued', 'active', 'revoked')),
  activated_by     text,
  activated_at     timestamptz(3),
  -- The code must be activated before this; the minutes then last a year from activation.
  code_expires_at  timestamptz(3) NOT NULL,
  created_at       timestamptz(3) NOT NULL DEFAULT now(),
  CHECK ((status = 'active') = (activated_at IS NOT NULL) OR status = 'revoked')
);
CREATE INDEX time_cards_owner_id_idx ON time_cards (owner_id);

-- The minutes of one activated time card. remaining_seconds is what the ledger entries of the lot
-- sum to (granted + entries); it can never go below zero or above what was granted.
CREATE TABLE minute_lots (
  id                 text PRIMARY KEY,
  time_card_id       text NOT NULL UNIQUE REFERENCES time_cards (id),
  user_id            text NOT NULL,
  granted_seconds    integer NOT NULL CHECK (granted_seconds > 0),
  remaining_seconds  integer NOT NULL,
  expires_at         timestamptz(3) NOT NULL,
  created_at         timestamptz(3) NOT NULL DEFAULT now(),
  CONSTRAINT minute_lots_remaining_seconds_check CHECK (remaining_seconds >= 0 AND remaining_seconds <= granted_seconds)
);
CREATE INDEX minute_lots_user_id_expires_at_idx ON minute_lots (user_id, expires_at, id);

CREATE TABLE voice_sessions (
  id                 text PRIMARY KEY,
  user_id            text NOT NULL,
  start_key          text NOT NULL UNIQUE,
  status             text NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'ended')),
  -- Cumulative seconds of conversation accounted for so far (charged + uncollectable).
  settled_seconds    integer NOT NULL DEFAULT 0 CHECK (settled_seconds >= 0),
  charged_seconds    integer NOT NULL DEFAULT 0 CHECK (charged_seconds >= 0 AND charged_seconds <= settled_seconds),
  -- Reserved but not yet settled: other sessions of the user cannot spend it.
  held_seconds       integer NOT NULL DEFAULT 0 CHECK (held_seconds >= 0),
  end_reason         text,
  started_at         timestamptz(3) NOT NULL DEFAULT now(),
  last_heartbeat_at  timestamptz(3) NOT NULL DEFAULT now(),
  ended_at           timestamptz(3),
  CHECK ((status = 'ended') = (ended_at IS NOT NULL)),
  CHECK (status = 'active' OR held_seconds = 0)
);
CREATE INDEX voice_sessions_user_id_status_idx ON voice_sessions (user_id, status);
CREATE INDEX voice_sessions_active_heartbeat_idx ON voice_sessions (last_heartbeat_at) WHERE status = 'active';

-- Append-only: a credit (+), a usage debit (-), a reversal (refund/dispute, -) or an expiry (-).
CREATE TABLE ledger_entries (
  id               text PRIMARY KEY,
  user_id          text NOT NULL,
  lot_id           text NOT NULL REFERENCES minute_lots (id),
  session_id       text REFERENCES voice_sessions (id),
  kind             text NOT NULL CHECK (kind IN ('credit', 'usage', 'reversal', 'expiry')),
  seconds          integer NOT NULL CHECK (seconds <> 0 AND (seconds > 0) = (kind = 'credit')),
  idempotency_key  text NOT NULL UNIQUE,
  created_at       timestamptz(3) NOT NULL DEFAULT now()
);
CREATE INDEX ledger_entries_user_id_created_at_idx ON ledger_entries (user_id, created_at);
CREATE INDEX ledger_entries_lot_id_idx ON ledger_entries (lot_id);
CREATE INDEX ledger_entries_session_id_idx ON ledger_entries (session_id);
CREATE TRIGGER ledger_entries_append_only BEFORE UPDATE OR DELETE ON ledger_entries
  FOR EACH ROW EXECUTE FUNCTION refuse_change();

-- Stripe events already applied: inserted in the same transaction as the event's effect.
CREATE TABLE processed_webhook_events (
  event_id     text PRIMARY KEY,
  type         text NOT NULL,
  processed_at timestamptz(3) NOT NULL DEFAULT now()
);
