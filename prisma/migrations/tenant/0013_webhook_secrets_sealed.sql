-- Webhook signing secrets are envelope-encrypted when the gateway has WEBHOOK_SECRET_KEYS (a JSON
-- envelope, as SSO connection secrets); a secret stored before, or without keys, stays whsec_… and
-- is sealed at its next rotation.
ALTER TABLE webhook_endpoints DROP CONSTRAINT webhook_endpoints_secret_check;
ALTER TABLE webhook_endpoints ADD CONSTRAINT webhook_endpoints_secret_check CHECK (secret ~ '^whsec_' OR secret ~ '^\{"v":');
