-- Connect webhook events for a Stripe account that no tenant of this region has recorded (yet).
-- Stripe fires account.updated right after an account is created, often before the provisioner
-- has written the account id to billing_accounts; such events wait here and are applied, in
-- creation order, once the account is recorded. Events of another region's accounts (Stripe sends
-- every Connect event to every endpoint) are never applied and go with the retention purge.
-- Docs: docs/adr/0024-parked-webhook-events.md.
CREATE TABLE platform.parked_webhook_events (
  event_id           text PRIMARY KEY,
  stripe_account_id  text NOT NULL,
  type               text NOT NULL,
  -- `created` of the event: the order parked events are applied in.
  event_created      timestamptz(3) NOT NULL,
  -- The verified event as Stripe sent it, re-applied through the live webhook code path.
  payload            jsonb NOT NULL,
  received_at        timestamptz(3) NOT NULL,
  applied_at         timestamptz(3)
);
CREATE INDEX parked_webhook_events_unapplied_idx ON platform.parked_webhook_events (stripe_account_id, event_created, event_id) WHERE applied_at IS NULL;
CREATE INDEX parked_webhook_events_received_at_idx ON platform.parked_webhook_events (received_at);
