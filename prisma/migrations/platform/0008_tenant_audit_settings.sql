-- How long each tenant's audit log keeps its entries (docs/adr/0059-gdpr-export-and-erasure.md).
-- A tenant without a row keeps them for 365 days. Written by the platform team (`mindbot audit
-- retention <tenant> <days>`), read by the daily purge job. Deleting the tenant from the registry
-- deletes its row, as it does its domains and branding overrides.
CREATE TABLE platform.tenant_audit_settings (
  slug            text PRIMARY KEY REFERENCES platform.tenants (slug) ON DELETE CASCADE,
  retention_days  integer NOT NULL CHECK (retention_days BETWEEN 30 AND 3650),
  updated_by      text NOT NULL,
  updated_at      timestamptz(3) NOT NULL DEFAULT now()
);
