-- An import's lease: the API process running an import holds it until lease_until and renews it
-- while the import runs. A `running` import whose lease ran out was left by a process that died;
-- any API marks it `failed` (on start, and when the import is read), so no import stays `running`
-- forever and its Idempotency-Key is free again.
ALTER TABLE imports ADD COLUMN lease_until timestamptz NOT NULL DEFAULT now() + interval '1 minute';
UPDATE imports SET lease_until = progress_at + interval '1 minute';
CREATE INDEX imports_running ON imports (lease_until) WHERE status = 'running';
