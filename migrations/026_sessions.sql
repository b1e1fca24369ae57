-- Sign-in for people (the staff workspace at /app): a password per credential, kept as a
-- salted scrypt hash (store/sessions.ts), the failed attempts that lock it for a while,
-- the language the person chose; and the sessions a sign-in opens, kept only as a
-- SHA-256 of their random id, each with its own CSRF token.
ALTER TABLE credentials
  ADD COLUMN password_hash text,
  ADD COLUMN failed_sign_ins integer NOT NULL DEFAULT 0,
  ADD COLUMN locked_until timestamptz,
  ADD COLUMN language text CHECK (language IN ('zh-CN', 'en'));
-- One login name signs in as one person: a live credential's name is unique.
CREATE UNIQUE INDEX credentials_live_name ON credentials (name) WHERE revoked_at IS NULL AND password_hash IS NOT NULL;

CREATE TABLE sessions (
  id_hash        text PRIMARY KEY,
  credential_id  text NOT NULL REFERENCES credentials (id),
  csrf_token     text NOT NULL,
  created_at     timestamptz NOT NULL DEFAULT now(),
  last_seen_at   timestamptz NOT NULL DEFAULT now(),
  expires_at     timestamptz NOT NULL,
  ended_at       timestamptz
);
CREATE INDEX sessions_credential ON sessions (credential_id);
