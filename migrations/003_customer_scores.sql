-- Customer credit scores (§3): one row per scoring, the history an early warning
-- reads (oldest → latest by id; scorings of one customer are serialised by a lock
-- on its counterparty row). The factors themselves are in the credit record.
CREATE TABLE customer_scores (
  id               bigserial PRIMARY KEY,
  counterparty_id  text NOT NULL REFERENCES counterparties (id),
  score            integer NOT NULL CHECK (score BETWEEN 0 AND 100),
  class            text NOT NULL CHECK (class IN ('A','B','C','D')),
  factor_scores    jsonb NOT NULL,
  scored_at        timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX customer_scores_counterparty ON customer_scores (counterparty_id, id);
