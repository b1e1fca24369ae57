-- Bulk imports from a CRM or ERP (counterparties, receivables, payments): one row
-- per import with its progress and counts, one row per record with its outcome.

CREATE TABLE imports (
  id               text PRIMARY KEY,
  kind             text NOT NULL CHECK (kind IN ('counterparties', 'receivables', 'payments')),
  format           text NOT NULL CHECK (format IN ('csv', 'ndjson', 'json')),
  status           text NOT NULL DEFAULT 'running' CHECK (status IN ('running', 'done', 'failed')),
  created_count    integer NOT NULL DEFAULT 0,
  updated_count    integer NOT NULL DEFAULT 0,
  unchanged_count  integer NOT NULL DEFAULT 0,
  rejected_count   integer NOT NULL DEFAULT 0,
  rows_processed   integer NOT NULL DEFAULT 0,
  error            text,                       -- why a failed import stopped
  started_by       text NOT NULL,              -- the credential's name
  started_at       timestamptz NOT NULL DEFAULT now(),
  progress_at      timestamptz NOT NULL DEFAULT now(),  -- last time rows were recorded
  finished_at      timestamptz
);
CREATE INDEX imports_started ON imports (started_at DESC);

CREATE TABLE import_rows (
  import_id    text NOT NULL REFERENCES imports (id) ON DELETE CASCADE,
  row_number   integer NOT NULL,               -- 1-based record number (a CSV header is not a record)
  external_id  text,                           -- the record's own id, when it has one
  outcome      text NOT NULL CHECK (outcome IN ('created', 'updated', 'unchanged', 'rejected')),
  field        text,                           -- the field a rejection names
  message      text,
  PRIMARY KEY (import_id, row_number)
);
CREATE INDEX import_rows_outcome ON import_rows (import_id, outcome, row_number);
