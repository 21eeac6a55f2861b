-- A tenant's users, roles and audit log. Runs as the tenant's role, in the tenant's schema.
CREATE TABLE users (
  id             text PRIMARY KEY,
  email          text NOT NULL CHECK (email = lower(email)),
  display_name   text,
  password_hash  text,
  status         text NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'disabled')),
  created_at     timestamptz(3) NOT NULL DEFAULT now(),
  updated_at     timestamptz(3) NOT NULL DEFAULT now()
);
CREATE UNIQUE INDEX users_email_key ON users (email);

CREATE TABLE roles (
  id           text PRIMARY KEY,
  name         text NOT NULL UNIQUE,
  description  text NOT NULL DEFAULT '',
  permissions  text[] NOT NULL DEFAULT '{}',
  created_at   timestamptz(3) NOT NULL DEFAULT now()
);

CREATE TABLE user_roles (
  user_id     text NOT NULL REFERENCES users (id) ON DELETE CASCADE,
  role_id     text NOT NULL REFERENCES roles (id) ON DELETE CASCADE,
  granted_at  timestamptz(3) NOT NULL DEFAULT now(),
  PRIMARY KEY (user_id, role_id)
);
CREATE INDEX user_roles_role_id_idx ON user_roles (role_id);

CREATE TABLE audit_log (
  id          text PRIMARY KEY,
  actor_id    text,
  action      text NOT NULL,
  target      text,
  data        jsonb NOT NULL DEFAULT '{}',
  request_id  text,
  created_at  timestamptz(3) NOT NULL DEFAULT now()
);
CREATE INDEX audit_log_created_at_idx ON audit_log (created_at);

CREATE FUNCTION refuse_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION '% is append-only', TG_TABLE_NAME USING ERRCODE = 'insufficient_privilege';
END $$;
CREATE TRIGGER audit_log_append_only BEFORE UPDATE OR DELETE ON audit_log
  FOR EACH ROW EXECUTE FUNCTION refuse_change();

-- Every tenant starts with the same three roles; admins may add more.
INSERT INTO roles (id, name, description, permissions) VALUES
  ('rol_owner', 'owner', 'Owns the tenant: everything an admin can do, plus billing settings.', ARRAY['*']),
  ('rol_admin', 'admin', 'Manages users, connections, packages and API keys.', ARRAY['users:*', 'sso:*', 'billing:packages', 'billing:reports', 'api-keys:*']),
  ('rol_member', 'member', 'Talks to the agent and manages their own time cards.', ARRAY['voice:sessions', 'billing:self']);
