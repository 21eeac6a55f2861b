-- The audit log's and the minute ledger's triggers call the one shared copy of their functions
-- (platform migration 0009, docs/adr/0063-shared-tenant-trigger-functions.md), and the schema's own
-- copies go: creating a trigger on a function name every tenant defines reads every tenant's copy.
-- Same triggers, same timing and events, same function bodies.
CREATE OR REPLACE TRIGGER audit_log_chain BEFORE INSERT ON audit_log
  FOR EACH ROW EXECUTE FUNCTION tenant_common.chain_audit_entry();
CREATE OR REPLACE TRIGGER audit_log_append_only BEFORE UPDATE OR DELETE ON audit_log
  FOR EACH ROW EXECUTE FUNCTION tenant_common.guard_audit_log();
CREATE OR REPLACE TRIGGER ledger_entries_append_only BEFORE UPDATE OR DELETE ON ledger_entries
  FOR EACH ROW EXECUTE FUNCTION tenant_common.guard_ledger_entry();

DROP FUNCTION chain_audit_entry();
DROP FUNCTION guard_audit_log();
DROP FUNCTION guard_ledger_entry();
