-- Who made an API key: `created_by` holds the user, this the session the key was made in, so the
-- keys made in a session that turns out stolen can be found (docs/adr/0013-session-revocation-list.md).
-- Keys made before this migration have none.
ALTER TABLE api_keys
  ADD COLUMN created_by_session text;
