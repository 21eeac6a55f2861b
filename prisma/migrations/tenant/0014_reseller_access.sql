-- A reseller's admins open the consoles of the tenants they sell to (`parentReseller`): in the
-- child tenant they are users with the `reseller` role, signed in by a handoff from the reseller's
-- own console (docs/adr/0057-reseller-console-handoff.md). The child's owners see them in their
-- user list and may block them.
INSERT INTO roles (id, name, description, permissions) VALUES
  ('rol_reseller', 'reseller', 'An admin of the reseller that sells to this tenant: manages it as an admin does, but never its owners.',
   ARRAY['users:*', 'sso:*', 'billing:packages', 'billing:reports', 'api-keys:*'])
ON CONFLICT (name) DO NOTHING;

ALTER TABLE auth_sessions DROP CONSTRAINT auth_sessions_method_check;
ALTER TABLE auth_sessions ADD CONSTRAINT auth_sessions_method_check CHECK (method IN ('password', 'oidc', 'saml', 'reseller'));
