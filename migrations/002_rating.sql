-- Dealer rating (§2): the scores departments submit, the quarter's sales, and the
-- monthly and quarterly results. Every result table is keyed by its period and
-- dealer, so re-running a month or quarter upserts the same row.

-- Operating capability & performance: 12 indicators, entered monthly; the first 8
-- by finance, the last 4 by marketing. `value` is the 0–5 score, or the count for
-- the fixed-rule indicator (customers lost).
CREATE TABLE dealer_performance_scores (
  dealer_id     text NOT NULL REFERENCES counterparties (id),
  month         text NOT NULL CHECK (month ~ '^\d{4}-(0[1-9]|1[0-2])$'),
  indicator     text NOT NULL,
  value         integer NOT NULL CHECK (value >= 0),
  department    text NOT NULL CHECK (department IN ('finance', 'marketing')),
  submitted_by  text NOT NULL,
  submitted_at  timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (dealer_id, month, indicator)
);
CREATE INDEX dealer_performance_scores_month ON dealer_performance_scores (month, dealer_id);

-- Business conduct & reputation: 8 indicators, entered quarterly by marketing.
-- `value` is the 0–5 score, or the violation count for the first two.
CREATE TABLE dealer_conduct_scores (
  dealer_id     text NOT NULL REFERENCES counterparties (id),
  quarter       text NOT NULL CHECK (quarter ~ '^\d{4}-Q[1-4]$'),
  indicator     text NOT NULL,
  value         integer NOT NULL CHECK (value >= 0),
  department    text NOT NULL CHECK (department IN ('finance', 'marketing')),
  submitted_by  text NOT NULL,
  submitted_at  timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (dealer_id, quarter, indicator)
);

-- The dealer's sales in the quarter (finance): limit = sales × the grade's ratio.
CREATE TABLE dealer_quarterly_sales (
  dealer_id     text NOT NULL REFERENCES counterparties (id),
  quarter       text NOT NULL CHECK (quarter ~ '^\d{4}-Q[1-4]$'),
  sales_minor   bigint NOT NULL CHECK (sales_minor >= 0),
  department    text NOT NULL CHECK (department IN ('finance', 'marketing')),
  submitted_by  text NOT NULL,
  submitted_at  timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (dealer_id, quarter)
);

-- The monthly performance result (workflow rating-month:<YYYY-MM>).
CREATE TABLE dealer_monthly_performance (
  month           text NOT NULL CHECK (month ~ '^\d{4}-(0[1-9]|1[0-2])$'),
  dealer_id       text NOT NULL REFERENCES counterparties (id),
  scores          jsonb NOT NULL,   -- per indicator, after the fixed count rules
  total           integer NOT NULL,
  grade           text NOT NULL CHECK (grade IN ('A', 'B', 'C')),
  policy_version  text NOT NULL,
  computed_at     timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (month, dealer_id)
);

-- The quarterly rating (workflow rating-quarter:<YYYY-Qn>) and, for two bad
-- quarters in a row, the manager's decision (or the policy default at the deadline).
CREATE TABLE dealer_quarterly_ratings (
  quarter                   text NOT NULL CHECK (quarter ~ '^\d{4}-Q[1-4]$'),
  dealer_id                 text NOT NULL REFERENCES counterparties (id),
  monthly_totals            jsonb NOT NULL,
  conduct_total             integer NOT NULL,
  sales_minor               bigint NOT NULL,
  performance_grade         text NOT NULL CHECK (performance_grade IN ('A', 'B', 'C')),
  conduct_grade             text NOT NULL CHECK (conduct_grade IN ('A', 'B', 'C')),
  grade                     text NOT NULL CHECK (grade IN ('AA','AB','BA','BB','AC','CA','BC','CB','CC')),
  previous_grade            text,
  credit_limit_minor        bigint NOT NULL CHECK (credit_limit_minor >= 0),
  credit_term_days          integer NOT NULL CHECK (credit_term_days >= 0),
  eligible                  boolean NOT NULL,
  eligibility_reason        text,
  manager_decision_required boolean NOT NULL,
  decision                  text CHECK (decision IN ('continue', 'stop-supply', 'end-contract')),
  decided_by                text,
  decision_reason           text,
  decided_by_default        boolean,
  decided_at                timestamptz,
  digest                    text NOT NULL,    -- of the result; a re-run with the same result changes nothing
  policy_version            text NOT NULL,
  computed_at               timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (quarter, dealer_id)
);
CREATE INDEX dealer_quarterly_ratings_dealer ON dealer_quarterly_ratings (dealer_id, quarter);
