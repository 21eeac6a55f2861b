-- Branding and default-persona settings tenant admins set in the console, for the settings the
-- Tenant manifest leaves out (docs/adr/0055-branding-edits-beside-the-manifest.md). A null column
-- is not set here. The registry reader merges them: manifest, else console, else the default.
-- Deleting the tenant from the registry deletes them, as it does its domains.
CREATE TABLE platform.tenant_branding_overrides (
  slug          text PRIMARY KEY REFERENCES platform.tenants (slug) ON DELETE CASCADE,
  display_name  text CHECK (char_length(display_name) BETWEEN 1 AND 100),
  agent_name    text CHECK (char_length(agent_name) BETWEEN 1 AND 60),
  primary_color text CHECK (primary_color ~ '^#[0-9a-fA-F]{6}$'),
  accent_color  text CHECK (accent_color ~ '^#[0-9a-fA-F]{6}$'),
  logo_url      text CHECK (char_length(logo_url) <= 2048 AND logo_url ~ '^https?://'),
  greeting      text CHECK (char_length(greeting) BETWEEN 1 AND 500),
  voice         text CHECK (char_length(voice) BETWEEN 1 AND 40),
  language      text CHECK (language ~ '^[a-z]{2}(-[A-Z]{2})?$'),
  instructions  text CHECK (char_length(instructions) BETWEEN 1 AND 8000),
  -- The user who saved last.
  updated_by    text NOT NULL,
  updated_at    timestamptz(3) NOT NULL DEFAULT now()
);

-- A console save reaches every process's registry cache as a manifest change does.
CREATE TRIGGER tenant_branding_overrides_notify_changed AFTER INSERT OR UPDATE OR DELETE ON platform.tenant_branding_overrides
  FOR EACH ROW EXECUTE FUNCTION platform.notify_tenant_changed();

-- The hand-over is one way: when a manifest starts setting a setting, the console's value for it is
-- dropped in the same transaction (the console refuses to set a managed one), so a setting never has
-- two live values and removing it from the manifest later gives the default, not a forgotten edit.
CREATE FUNCTION platform.drop_branding_overrides_the_manifest_sets() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  spec     jsonb := COALESCE(NEW.manifest -> 'spec', '{}');
  branding jsonb := COALESCE(spec -> 'branding', '{}');
  agent    jsonb := COALESCE(spec -> 'agent', '{}');
BEGIN
  UPDATE platform.tenant_branding_overrides o SET
    display_name  = CASE WHEN spec ? 'displayName' THEN NULL ELSE o.display_name END,
    agent_name    = CASE WHEN branding ? 'agentName' THEN NULL ELSE o.agent_name END,
    primary_color = CASE WHEN branding ? 'primaryColor' THEN NULL ELSE o.primary_color END,
    accent_color  = CASE WHEN branding ? 'accentColor' THEN NULL ELSE o.accent_color END,
    logo_url      = CASE WHEN branding ? 'logoUrl' THEN NULL ELSE o.logo_url END,
    greeting      = CASE WHEN branding ? 'greeting' THEN NULL ELSE o.greeting END,
    voice         = CASE WHEN agent ? 'voice' THEN NULL ELSE o.voice END,
    language      = CASE WHEN agent ? 'language' THEN NULL ELSE o.language END,
    instructions  = CASE WHEN agent ? 'persona' THEN NULL ELSE o.instructions END,
    updated_by    = 'manifest',
    updated_at    = now()
  WHERE o.slug = NEW.slug
    AND ((spec ? 'displayName' AND o.display_name IS NOT NULL)
      OR (branding ? 'agentName' AND o.agent_name IS NOT NULL)
      OR (branding ? 'primaryColor' AND o.primary_color IS NOT NULL)
      OR (branding ? 'accentColor' AND o.accent_color IS NOT NULL)
      OR (branding ? 'logoUrl' AND o.logo_url IS NOT NULL)
      OR (branding ? 'greeting' AND o.greeting IS NOT NULL)
      OR (agent ? 'voice' AND o.voice IS NOT NULL)
      OR (agent ? 'language' AND o.language IS NOT NULL)
      OR (agent ? 'persona' AND o.instructions IS NOT NULL));
  RETURN NULL;
END $$;
CREATE TRIGGER tenants_drop_branding_overrides AFTER UPDATE OF manifest ON platform.tenants
  FOR EACH ROW EXECUTE FUNCTION platform.drop_branding_overrides_the_manifest_sets();
