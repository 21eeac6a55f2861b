-- GDPR erasure and audit retention (docs/adr/0059-gdpr-export-and-erasure.md).
--
-- 1. Personal details an audit entry mentions (an email, a name) go in `personal`, a column the
--    chain's hash does not cover (audit_entry_canonical lists its columns), so erasing a person
--    blanks it without breaking the chain. What is hashed names people only by their opaque ids.
-- 2. The append-only guard now lets exactly two changes through: blanking `personal` (nothing the
--    hash covers may change) and deleting the oldest entries up to the sequence number a retention
--    purge announced in its own transaction (`mindbot.audit_purge_through`). Anything else is still
--    refused, so the chain stays verifiable from the oldest kept entry, whose predecessor's hash the
--    purge records in an `audit.purged` entry (the anchor).
-- 3. The minute ledger stays append-only, except that erasing a person moves their entries to a
--    pseudonymous id (`anon_…`): nothing else about an entry may change, and none may be deleted.

ALTER TABLE audit_log ADD COLUMN personal jsonb NOT NULL DEFAULT '{}';

CREATE FUNCTION guard_audit_log() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  purge_through bigint := nullif(current_setting('mindbot.audit_purge_through', true), '')::bigint;
BEGIN
  IF TG_OP = 'DELETE' THEN
    IF purge_through IS NOT NULL AND OLD.seq <= purge_through THEN
      RETURN OLD;
    END IF;
  ELSIF NEW.personal = '{}'::jsonb
    AND NEW.seq = OLD.seq AND NEW.prev_hash = OLD.prev_hash AND NEW.hash = OLD.hash
    AND audit_entry_canonical(NEW) = audit_entry_canonical(OLD) THEN
    RETURN NEW;
  END IF;
  RAISE EXCEPTION '% is append-only', TG_TABLE_NAME USING ERRCODE = 'insufficient_privilege';
END $$;

DROP TRIGGER audit_log_append_only ON audit_log;
CREATE TRIGGER audit_log_append_only BEFORE UPDATE OR DELETE ON audit_log
  FOR EACH ROW EXECUTE FUNCTION guard_audit_log();

CREATE FUNCTION guard_ledger_entry() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'UPDATE' AND NEW.user_id LIKE 'anon\_%' AND to_jsonb(NEW) - 'user_id' = to_jsonb(OLD) - 'user_id' THEN
    RETURN NEW;
  END IF;
  RAISE EXCEPTION '% is append-only', TG_TABLE_NAME USING ERRCODE = 'insufficient_privilege';
END $$;

DROP TRIGGER ledger_entries_append_only ON ledger_entries;
CREATE TRIGGER ledger_entries_append_only BEFORE UPDATE OR DELETE ON ledger_entries
  FOR EACH ROW EXECUTE FUNCTION guard_ledger_entry();

-- Entries about a person are found by actor and by target when they are exported or erased.
CREATE INDEX audit_log_target_idx ON audit_log (target, seq);
