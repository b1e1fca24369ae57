-- Scores that keep themselves (docs/scores.md). The facts creditflow cannot know, entered
-- by a person with their date and source; each kept (a newer one of the same factor
-- supersedes it in the score, the older stays as history). The entry also goes on the
-- credit record.
CREATE TABLE score_facts (
  id            bigserial PRIMARY KEY,
  subject_type  text NOT NULL CHECK (subject_type IN ('counterparty', 'salesperson')),
  subject_id    text NOT NULL,
  factor        text NOT NULL,
  value         jsonb NOT NULL,
  as_of         date NOT NULL,            -- the document's date
  document      text NOT NULL,            -- which document it came from
  actor         jsonb NOT NULL,           -- who entered it (the credential)
  recorded_at   timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX score_facts_subject ON score_facts (subject_type, subject_id, factor, as_of DESC);

-- A customer score now says what triggered it, the digest of its inputs (a refresh with
-- the same inputs stores nothing), each factor's contribution, and whether an
-- early-warning episode is open after it (told once when it opens).
ALTER TABLE customer_scores
  ADD COLUMN trigger        text,
  ADD COLUMN inputs_digest  text,
  ADD COLUMN contributions  jsonb,
  ADD COLUMN warning_open   boolean NOT NULL DEFAULT false;
