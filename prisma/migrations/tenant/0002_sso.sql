-- SSO: identity-provider connections, email domains proven by DNS, identities linked to users,
-- sign-in sessions with their rotating refresh tokens, password lock-out and reset tokens.
-- Runs as the tenant's role, in the tenant's schema.

ALTER TABLE users ADD COLUMN failed_logins integer NOT NULL DEFAULT 0 CHECK (failed_logins >= 0);
ALTER TABLE users ADD COLUMN locked_until timestamptz(3);

CREATE TABLE sso_connections (
  id             text PRIMARY KEY,
  kind           text NOT NULL CHECK (kind IN ('saml', 'oidc')),
  name           text NOT NULL,
  status         text NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'disabled')),
  -- Non-secret settings (IdP entity id, URLs, certificates, client id, algorithms).
  settings       jsonb NOT NULL,
  -- Envelope-encrypted JSON (client secret, SP private keys); never returned by the API.
  secrets        text,
  -- [{ "group": "...", "role": "..." }]: IdP groups mapped to tenant roles.
  role_rules     jsonb NOT NULL DEFAULT '[]',
  default_roles  text[] NOT NULL DEFAULT '{member}',
  created_at     timestamptz(3) NOT NULL DEFAULT now(),
  updated_at     timestamptz(3) NOT NULL DEFAULT now()
);

CREATE TABLE sso_domains (
  domain              text PRIMARY KEY CHECK (domain = lower(domain)),
  connection_id       text REFERENCES sso_connections (id) ON DELETE SET NULL,
  verification_token  text NOT NULL,
  verified_at         timestamptz(3),
  created_at          timestamptz(3) NOT NULL DEFAULT now()
);
CREATE INDEX sso_domains_connection_id_idx ON sso_domains (connection_id);

CREATE TABLE user_identities (
  id             text PRIMARY KEY,
  user_id        text NOT NULL REFERENCES users (id) ON DELETE CASCADE,
  connection_id  text NOT NULL REFERENCES sso_connections (id) ON DELETE CASCADE,
  -- The IdP's stable subject: OIDC iss + sub, SAML Issuer + NameID.
  issuer         text NOT NULL,
  subject        text NOT NULL,
  email          text,
  groups         text[] NOT NULL DEFAULT '{}',
  profile        jsonb NOT NULL DEFAULT '{}',
  last_login_at  timestamptz(3) NOT NULL DEFAULT now(),
  created_at     timestamptz(3) NOT NULL DEFAULT now()
);
CREATE UNIQUE INDEX user_identities_connection_id_issuer_subject_key ON user_identities (connection_id, issuer, subject);
CREATE INDEX user_identities_user_id_idx ON user_identities (user_id);

CREATE TABLE auth_sessions (
  id                  text PRIMARY KEY,
  user_id             text NOT NULL REFERENCES users (id) ON DELETE CASCADE,
  method              text NOT NULL CHECK (method IN ('password', 'oidc', 'saml')),
  connection_id       text REFERENCES sso_connections (id) ON DELETE SET NULL,
  saml_name_id        text,
  saml_session_index  text,
  created_at          timestamptz(3) NOT NULL DEFAULT now(),
  expires_at          timestamptz(3) NOT NULL,
  revoked_at          timestamptz(3),
  revoked_reason      text
);
CREATE INDEX auth_sessions_user_id_idx ON auth_sessions (user_id);

CREATE TABLE refresh_tokens (
  id          text PRIMARY KEY,
  session_id  text NOT NULL REFERENCES auth_sessions (id) ON DELETE CASCADE,
  -- sha256 of the opaque token; the token itself is never stored.
  token_hash  text NOT NULL,
  created_at  timestamptz(3) NOT NULL DEFAULT now(),
  expires_at  timestamptz(3) NOT NULL,
  -- Set when the token was exchanged for its successor; presenting it again revokes the session.
  rotated_at  timestamptz(3)
);
CREATE UNIQUE INDEX refresh_tokens_token_hash_key ON refresh_tokens (token_hash);
CREATE INDEX refresh_tokens_session_id_idx ON refresh_tokens (session_id);

CREATE TABLE password_reset_tokens (
  id          text PRIMARY KEY,
  user_id     text NOT NULL REFERENCES users (id) ON DELETE CASCADE,
  token_hash  text NOT NULL,
  expires_at  timestamptz(3) NOT NULL,
  used_at     timestamptz(3),
  created_at  timestamptz(3) NOT NULL DEFAULT now()
);
CREATE UNIQUE INDEX password_reset_tokens_token_hash_key ON password_reset_tokens (token_hash);
