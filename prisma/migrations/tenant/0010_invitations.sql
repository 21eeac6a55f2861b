-- Invitations: an admin (or the platform, for the owners a Tenant names) invites an email with roles;
-- the emailed link carries a token of which only the SHA-256 is kept. Single use, 7 days.
CREATE TABLE invitations (
  id           text PRIMARY KEY,
  email        text NOT NULL CHECK (email = lower(email)),
  roles        text[] NOT NULL,
  token_hash   text NOT NULL UNIQUE,
  status       text NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'accepted', 'revoked')),
  -- The admin who invited; null when the platform did (the Tenant's owners).
  invited_by   text,
  expires_at   timestamptz(3) NOT NULL,
  created_at   timestamptz(3) NOT NULL DEFAULT now(),
  accepted_by  text,
  accepted_at  timestamptz(3),
  revoked_at   timestamptz(3)
);
CREATE INDEX invitations_pending_email_idx ON invitations (email) WHERE status = 'pending';
CREATE INDEX invitations_created_at_idx ON invitations (created_at);

-- Where a role of a user came from: `idp` roles are the groups an identity provider asserted and are
-- replaced at every SSO sign-in; `grant` roles (an invitation, an admin, registration, the CLI) stay
-- until an admin changes them. Roles of users who sign in through an IdP came from it until now.
ALTER TABLE user_roles
  ADD COLUMN source text NOT NULL DEFAULT 'grant' CHECK (source IN ('grant', 'idp'));
UPDATE user_roles SET source = 'idp' WHERE user_id IN (SELECT user_id FROM user_identities);
