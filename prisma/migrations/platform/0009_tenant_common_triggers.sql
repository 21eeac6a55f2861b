-- One copy of the tenant schemas' trigger functions, shared by every tenant (tenant migration 0021,
-- docs/adr/0063-shared-tenant-trigger-functions.md).
--
-- CREATE TRIGGER … EXECUTE FUNCTION looks its function up by name, and Postgres reads every function
-- of that name in the database to do it (FuncnameGetCandidates), schema-qualified or not. While each
-- tenant schema had its own three copies, every new tenant read one row per tenant already there for
-- each of its three triggers, most of what made a tenant's build grow with the tenants beside it.
--
-- These functions name no table of their own: they see the row through NEW/OLD and the table through
-- TG_TABLE_SCHEMA, and call the tenant's audit_entry_* functions through the caller's search_path
-- (the tenant's schema, as before). They run as the caller, and only the platform can change them, so
-- a tenant's role can no longer replace its own append-only guards.
CREATE SCHEMA tenant_common;
GRANT USAGE ON SCHEMA tenant_common TO PUBLIC;

CREATE FUNCTION tenant_common.chain_audit_entry() RETURNS trigger LANGUAGE plpgsql AS $$
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

CREATE FUNCTION tenant_common.guard_audit_log() RETURNS trigger LANGUAGE plpgsql AS $$
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

CREATE FUNCTION tenant_common.guard_ledger_entry() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'UPDATE' AND NEW.user_id LIKE 'anon\_%' AND to_jsonb(NEW) - 'user_id' = to_jsonb(OLD) - 'user_id' THEN
    RETURN NEW;
  END IF;
  RAISE EXCEPTION '% is append-only', TG_TABLE_NAME USING ERRCODE = 'insufficient_privilege';
END $$;
