-- Idempotency-Key: the first answer to a POST, kept per caller so a retry gets it
-- again instead of running the request twice. A row is a claim while status is
-- NULL (the request is running), an answer once status is set.
CREATE TABLE idempotency_keys (
  credential_id     text NOT NULL REFERENCES credentials (id) ON DELETE CASCADE,
  key               text NOT NULL,
  -- SHA-256 of the canonical request (method, path, query, body): the same key
  -- with another request is refused.
  request_hash      text NOT NULL,
  -- Which claim owns the row: a finished request stores its answer only if it still does.
  claim_id          uuid NOT NULL,
  locked_until      timestamptz NOT NULL,
  status            integer,
  content_type      text,
  response_body     text,
  created_at        timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (credential_id, key),
  CHECK (status IS NULL OR status BETWEEN 200 AND 499)
);

CREATE INDEX idempotency_keys_created_at ON idempotency_keys (created_at);
