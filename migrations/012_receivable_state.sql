-- The receivable workflow's whole state as of its last recorded change, written by
-- the same activities that write the row's columns. GET /v1/receivables/:id reads
-- it here instead of asking the workflow, so reading a receivable costs one
-- primary-key read, not a Temporal query (and a replay when the worker has the
-- workflow out of its cache). NULL until the workflow records its first change.
ALTER TABLE receivables ADD COLUMN state jsonb;
