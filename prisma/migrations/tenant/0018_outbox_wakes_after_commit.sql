-- The outbox no longer notifies from a trigger: a NOTIFY makes its transaction commit one at a time
-- with every other notifying transaction (Postgres holds the notification queue's lock through the
-- commit's disk flush), and every purchase, settle and sign-up writes an outbox row. The writer
-- sends the wake-up itself once its transaction has committed, batched with the other commits of
-- the same moment (@mindbot/db afterCommit); the relay's sweeps remain the safety net.
DROP TRIGGER outbox_events_notify ON outbox_events;
DROP FUNCTION outbox_events_notify();
