-- API keys for server-to-server calls through the gateway. Shown once; only a SHA-256 of the key is
-- kept (keys carry 256 random bits, so a fast hash is enough: docs/adr/0031-api-keys.md).
CREATE TABLE api_keys (
  id            text PRIMARY KEY,
  name          text NOT NULL CHECK (length(name) BETWEEN 1 AND 100),
  environment   text NOT NULL CHECK (environment IN ('live', 'test')),
  secret_hash   text NOT NULL CHECK (secret_hash ~ '^[0-9a-f]{64}$'),
  -- the last four characters, so people can tell their keys apart
  hint          text NOT NULL,
  permissions   text[] NOT NULL,
  created_by    text NOT NULL,
  created_at    timestamptz(3) NOT NULL DEFAULT now(),
  last_used_at  timestamptz(3),
  expires_at    timestamptz(3),
  revoked_at    timestamptz(3)
);
CREATE UNIQUE INDEX api_keys_secret_hash_key ON api_keys (secret_hash);
CREATE INDEX api_keys_created_at_idx ON api_keys (created_at);
