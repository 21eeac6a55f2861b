-- A tamper-evident audit log: each entry carries its place in the tenant's chain (seq), the hash of
-- the entry before it and its own hash over both, so an entry changed, removed from the middle or
-- inserted out of order breaks the chain at that point (`mindbot audit verify` finds it).
--
-- The chain is kept by a trigger, not by each writer, so every service's inserts (SSO's auditor,
-- the gateway's API keys, billing's admin actions) are chained the same way without knowing it.
-- A per-schema advisory lock orders concurrent writers; audit entries are admin actions, so
-- serialising them per tenant costs nothing that matters.

ALTER TABLE audit_log
  ADD COLUMN seq bigint NOT NULL DEFAULT 0,
  ADD COLUMN prev_hash text NOT NULL DEFAULT '',
  ADD COLUMN hash text NOT NULL DEFAULT '';

-- What is hashed: every column but the hashes, as jsonb's text (deterministic for equal values) with
-- the time as epoch milliseconds (independent of the session's TimeZone).
CREATE FUNCTION audit_entry_canonical(e audit_log) RETURNS text LANGUAGE sql IMMUTABLE AS $$
  SELECT jsonb_build_array(
    e.seq, e.id, e.actor_id, e.action, e.target, e.data, e.request_id,
    (extract(epoch FROM e.created_at) * 1000)::bigint
  )::text
$$;

CREATE FUNCTION audit_entry_hash(prev_hash text, e audit_log) RETURNS text LANGUAGE sql IMMUTABLE AS $$
  SELECT encode(sha256(convert_to(prev_hash || audit_entry_canonical(e), 'UTF8')), 'hex')
$$;

-- Existing entries join the chain in the order they were written.
ALTER TABLE audit_log DISABLE TRIGGER audit_log_append_only;
DO $$
DECLARE
  entry audit_log;
  n bigint := 0;
  prev text := '';
BEGIN
  FOR entry IN SELECT * FROM audit_log ORDER BY created_at, id LOOP
    n := n + 1;
    entry.seq := n;
    entry.prev_hash := prev;
    entry.hash := audit_entry_hash(prev, entry);
    UPDATE audit_log SET seq = entry.seq, prev_hash = entry.prev_hash, hash = entry.hash WHERE id = entry.id;
    prev := entry.hash;
  END LOOP;
END $$;
ALTER TABLE audit_log ENABLE TRIGGER audit_log_append_only;

CREATE UNIQUE INDEX audit_log_seq_key ON audit_log (seq);
CREATE INDEX audit_log_actor_id_idx ON audit_log (actor_id, seq);
CREATE INDEX audit_log_action_idx ON audit_log (action, seq);

CREATE FUNCTION chain_audit_entry() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  last_seq bigint;
  last_hash text;
BEGIN
  PERFORM pg_advisory_xact_lock(hashtext(TG_TABLE_SCHEMA || '.audit_log'));
  EXECUTE format('SELECT seq, hash FROM %I.audit_log ORDER BY seq DESC LIMIT 1', TG_TABLE_SCHEMA) INTO last_seq, last_hash;
  -- The column rounds to milliseconds; round here first so the hash covers the value stored.
  NEW.created_at := date_trunc('milliseconds', NEW.created_at);
  NEW.seq := coalesce(last_seq, 0) + 1;
  NEW.prev_hash := coalesce(last_hash, '');
  NEW.hash := audit_entry_hash(NEW.prev_hash, NEW);
  RETURN NEW;
END $$;

CREATE TRIGGER audit_log_chain BEFORE INSERT ON audit_log FOR EACH ROW EXECUTE FUNCTION chain_audit_entry();
