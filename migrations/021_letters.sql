-- Formal letters and statements of account (issue #17 §3): the postal address a counterparty's
-- letters go to, and letter numbers (CF-2026-000123). A number is assigned once per message key
-- (a retried send reuses its number), counted per year without gaps.
ALTER TABLE counterparties ADD COLUMN address text;

CREATE TABLE letter_sequences (
  year  integer PRIMARY KEY,
  last  integer NOT NULL
);

CREATE TABLE letter_numbers (
  key              text PRIMARY KEY,       -- the message's key, e.g. statement:<counterparty>:<from>:<to>
  year             integer NOT NULL,
  seq              integer NOT NULL,
  number           text NOT NULL UNIQUE,
  kind             text NOT NULL,
  counterparty_id  text REFERENCES counterparties (id),
  assigned_at      timestamptz NOT NULL DEFAULT now(),
  UNIQUE (year, seq)
);
CREATE INDEX letter_numbers_counterparty ON letter_numbers (counterparty_id, assigned_at);
