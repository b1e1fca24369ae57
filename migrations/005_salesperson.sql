-- Salespeople (§4, §5): finance's monthly assessment table, limit proposals and
-- their approval, quarterly review proposals. Money is BIGINT minor units, rates bp.

-- One row per month and salesperson; a re-run of a month upserts the same values.
CREATE TABLE salesperson_assessments (
  month                  text NOT NULL CHECK (month ~ '^\d{4}-(0[1-9]|1[0-2])$'),
  salesperson_id         text NOT NULL REFERENCES salespeople (id),
  inputs                 jsonb NOT NULL,   -- the month's figures from receivables and payments
  metrics                jsonb NOT NULL,
  rates                  jsonb NOT NULL,
  total_rate_bp          integer NOT NULL,
  receivables_minor      bigint NOT NULL,
  reward_penalty_minor   bigint NOT NULL,
  policy_version         text NOT NULL,
  computed_at            timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (month, salesperson_id)
);

-- The limit: evaluation → proposal → manager approval.
CREATE TABLE salesperson_limit_proposals (
  id                   text PRIMARY KEY,
  salesperson_id       text NOT NULL REFERENCES salespeople (id),
  previous_limit_minor bigint,
  proposed_limit_minor bigint NOT NULL CHECK (proposed_limit_minor >= 0),
  evaluation           text NOT NULL,
  proposed_by          text NOT NULL,
  status               text NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'approved', 'rejected')),
  decided_by           text,
  decision_reason      text,
  created_at           timestamptz NOT NULL DEFAULT now(),
  decided_at           timestamptz
);
CREATE INDEX salesperson_limit_proposals_person ON salesperson_limit_proposals (salesperson_id, created_at);

-- Quarterly review: the proposal, then the manager's decision (accepted as is, or changed).
CREATE TABLE salesperson_reviews (
  quarter              text NOT NULL CHECK (quarter ~ '^\d{4}-Q[1-4]$'),
  salesperson_id       text NOT NULL REFERENCES salespeople (id),
  inputs               jsonb NOT NULL,
  proposed_actions     jsonb NOT NULL,
  proposed_limit_minor bigint,
  reasons              jsonb NOT NULL,
  status               text NOT NULL DEFAULT 'proposed' CHECK (status IN ('proposed', 'decided')),
  decided_actions      jsonb,
  decided_limit_minor  bigint,
  decided_by           text,
  decision_note        text,
  proposed_at          timestamptz NOT NULL DEFAULT now(),
  decided_at           timestamptz,
  PRIMARY KEY (quarter, salesperson_id)
);
