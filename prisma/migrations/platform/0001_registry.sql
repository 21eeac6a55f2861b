-- The platform schema: the tenant registry, the host names it serves, and the platform audit log.
-- Tenant roles get no privilege here; services read the registry through the platform's login.
REVOKE ALL ON SCHEMA platform FROM PUBLIC;
REVOKE CREATE ON SCHEMA public FROM PUBLIC;

CREATE TABLE platform.tenants (
  id            text PRIMARY KEY,
  slug          text NOT NULL UNIQUE CHECK (slug ~ '^[a-z]([a-z0-9-]*[a-z0-9])?$'),
  display_name  text NOT NULL,
  region        text NOT NULL,
  status        text NOT NULL CHECK (status IN ('provisioning', 'active', 'suspended', 'deprovisioning')),
  home          boolean NOT NULL,
  schema_name   text,
  branding      jsonb NOT NULL,
  agent         jsonb NOT NULL,
  plan          text NOT NULL,
  limits        jsonb NOT NULL,
  billing       jsonb NOT NULL,
  sso           jsonb NOT NULL,
  parent_slug   text,
  suspended     boolean NOT NULL,
  spec_hash     text NOT NULL,
  manifest      jsonb NOT NULL,
  created_at    timestamptz(3) NOT NULL DEFAULT now(),
  updated_at    timestamptz(3) NOT NULL DEFAULT now(),
  CHECK (home = (schema_name IS NOT NULL))
);
CREATE INDEX tenants_region_idx ON platform.tenants (region);

CREATE TABLE platform.tenant_domains (
  domain      text PRIMARY KEY CHECK (domain = lower(domain)),
  tenant_id   text NOT NULL REFERENCES platform.tenants (id) ON DELETE CASCADE,
  verified    boolean NOT NULL DEFAULT false,
  created_at  timestamptz(3) NOT NULL DEFAULT now()
);
CREATE INDEX tenant_domains_tenant_id_idx ON platform.tenant_domains (tenant_id);

CREATE TABLE platform.platform_audit_log (
  id           text PRIMARY KEY,
  tenant_slug  text,
  actor        text NOT NULL,
  action       text NOT NULL,
  data         jsonb NOT NULL,
  created_at   timestamptz(3) NOT NULL DEFAULT now()
);
CREATE INDEX platform_audit_log_tenant_slug_created_at_idx ON platform.platform_audit_log (tenant_slug, created_at);

CREATE FUNCTION platform.refuse_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION '% is append-only', TG_TABLE_NAME USING ERRCODE = 'insufficient_privilege';
END $$;
CREATE TRIGGER platform_audit_log_append_only BEFORE UPDATE OR DELETE ON platform.platform_audit_log
  FOR EACH ROW EXECUTE FUNCTION platform.refuse_change();

-- Services cache the registry in process; this tells them a tenant changed (LISTEN mindbot_tenant_changed).
CREATE FUNCTION platform.notify_tenant_changed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  PERFORM pg_notify('mindbot_tenant_changed', COALESCE(NEW.slug, OLD.slug));
  RETURN NULL;
END $$;
CREATE TRIGGER tenants_notify_changed AFTER INSERT OR UPDATE OR DELETE ON platform.tenants
  FOR EACH ROW EXECUTE FUNCTION platform.notify_tenant_changed();
