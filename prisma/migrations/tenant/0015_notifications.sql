-- Branded notifications to end users (docs/adr/0058-branded-notifications.md).
--
-- notification_preferences: a user's choice about the optional messages; no row means both are on.
-- Receipts, password resets and invitations are not optional and have no column here.
CREATE TABLE notification_preferences (
  user_id           text PRIMARY KEY,
  low_balance       boolean NOT NULL DEFAULT true,
  minutes_expiring  boolean NOT NULL DEFAULT true,
  updated_at        timestamptz(3) NOT NULL DEFAULT now()
);

-- One row per message sent, keyed by what caused it (the outbox row, the lot and its expiry day): a
-- retried job finds its key taken and sends nothing. The row is written in the transaction that
-- sends, so a failed send leaves no row and the retry sends.
CREATE TABLE sent_notifications (
  key      text PRIMARY KEY CHECK (length(key) BETWEEN 1 AND 200),
  kind     text NOT NULL CHECK (kind IN ('low_balance', 'minutes_expiring', 'purchase_receipt')),
  user_id  text NOT NULL,
  sent_at  timestamptz(3) NOT NULL DEFAULT now()
);
CREATE INDEX sent_notifications_user_id_idx ON sent_notifications (user_id);

-- When a session first reported the user's balance at or under the warning threshold: balance.low is
-- emitted once per session, when this is set, not on every heartbeat after.
ALTER TABLE voice_sessions ADD COLUMN low_balance_at timestamptz(3);
