-- Idempotency-Key on bulk imports: the key (per credential) and a SHA-256 of the
-- uploaded request, so the same file sent again with the same key gets the first
-- import's answer and another file under that key is refused. A failed import
-- frees its key: the retry of a cut-off upload runs.
ALTER TABLE imports
  ADD COLUMN credential_id   text,
  ADD COLUMN idempotency_key text,
  ADD COLUMN request_sha256  text;
CREATE UNIQUE INDEX imports_idempotency_key ON imports (credential_id, idempotency_key)
  WHERE idempotency_key IS NOT NULL AND status <> 'failed';
