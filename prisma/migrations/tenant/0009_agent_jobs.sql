-- The voice agent's per-session credential and what a call said (docs/adr/0050-agent-job-credentials.md).
--
-- job_token_hash: sha256 of the credential billing mints when a session starts and the gateway hands
-- to the agent in the dispatch metadata. It opens only this session's routes, and only while the
-- session runs (and briefly after, to settle and flush the transcript), so a worker never holds a
-- credential that reaches another tenant or another session.
ALTER TABLE voice_sessions ADD COLUMN job_token_hash text;
-- The persona the user talked to (the tenant's default when they chose none).
ALTER TABLE voice_sessions ADD COLUMN persona text;

-- One row per thing said or done in a call, in order: the user's and the agent's turns and each
-- tool call with its arguments and answer. Appended by the agent; `seq` makes a retried append harmless.
CREATE TABLE voice_session_events (
  session_id      text NOT NULL REFERENCES voice_sessions (id),
  seq             integer NOT NULL CHECK (seq >= 0),
  user_id         text NOT NULL,
  kind            text NOT NULL CHECK (kind IN ('user', 'agent', 'tool')),
  text            text NOT NULL,
  tool_name       text,
  tool_arguments  jsonb,
  created_at      timestamptz(3) NOT NULL DEFAULT now(),
  PRIMARY KEY (session_id, seq),
  CHECK ((kind = 'tool') = (tool_name IS NOT NULL))
);
CREATE INDEX voice_session_events_user_idx ON voice_session_events (user_id, created_at);
