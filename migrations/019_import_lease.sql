-- An import's lease: the API process running an import renews heartbeat_at while it runs (and
-- with every batch of rows). A `running` import whose heartbeat is older than the lease was left
-- by a process that died; any API marks it `failed` (on start, and when the import is read), so
-- no import stays `running` forever and its Idempotency-Key is free again.
ALTER TABLE imports ADD COLUMN heartbeat_at timestamptz NOT NULL DEFAULT now();
UPDATE imports SET heartbeat_at = progress_at;
CREATE INDEX imports_running ON imports (heartbeat_at) WHERE status = 'running';
