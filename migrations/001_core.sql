-- creditflow core schema: counterparties, salespeople, receivables and their facts.
-- Money is BIGINT minor units; calendar dates are DATE in the company's time zone.

CREATE TABLE counterparties (
  id                  text PRIMARY KEY,
  name                text NOT NULL,
  kind                text NOT NULL CHECK (kind IN ('dealer', 'customer')),
  email               text NOT NULL,
  language            text NOT NULL DEFAULT 'zh-CN' CHECK (language IN ('zh-CN', 'en')),
  region              text NOT NULL,
  contact_name        text,
  credit_grade        text CHECK (credit_grade IN ('AA','AB','BA','BB','AC','CA','BC','CB','CC')),
  customer_class      text CHECK (customer_class IN ('A','B','C','D')),
  credit_limit_minor  bigint NOT NULL DEFAULT 0 CHECK (credit_limit_minor >= 0),
  credit_term_days    integer CHECK (credit_term_days >= 0),
  joined_on           date NOT NULL,
  created_at          timestamptz NOT NULL DEFAULT now(),
  updated_at          timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE salespeople (
  id                  text PRIMARY KEY,
  name                text NOT NULL,
  email               text NOT NULL,
  region              text NOT NULL,
  phone               text,
  credit_limit_minor  bigint CHECK (credit_limit_minor >= 0),   -- NULL: no limit set yet
  created_at          timestamptz NOT NULL DEFAULT now(),
  updated_at          timestamptz NOT NULL DEFAULT now()
);

-- One row per credit application / receivable; the workflow is the source of
-- truth, this row its latest snapshot for lists and reports.
CREATE TABLE receivables (
  id                    text PRIMARY KEY,
  workflow_id           text NOT NULL UNIQUE,
  counterparty_id       text NOT NULL REFERENCES counterparties (id),
  salesperson_id        text NOT NULL REFERENCES salespeople (id),
  currency              text NOT NULL,
  requested_minor       bigint NOT NULL CHECK (requested_minor > 0),
  requested_term_days   integer NOT NULL CHECK (requested_term_days >= 0),
  approved_minor        bigint,
  approved_term_days    integer,
  issue_date            date,
  due_date              date,
  stage                 text NOT NULL,
  owner                 text NOT NULL DEFAULT 'salesperson',
  outstanding_minor     bigint NOT NULL DEFAULT 0,
  paid_minor            bigint NOT NULL DEFAULT 0,
  discount_minor        bigint NOT NULL DEFAULT 0,
  written_off_minor     bigint NOT NULL DEFAULT 0,
  paused_by             text,
  policy_version        text NOT NULL,
  state_version         integer NOT NULL DEFAULT 0,
  settled_on            date,
  created_at            timestamptz NOT NULL DEFAULT now(),
  updated_at            timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX receivables_counterparty ON receivables (counterparty_id, stage);
CREATE INDEX receivables_salesperson ON receivables (salesperson_id, stage);
CREATE INDEX receivables_due ON receivables (due_date) WHERE stage NOT IN ('paid', 'rejected', 'written-off');

CREATE TABLE payments (
  id              text PRIMARY KEY,
  receivable_id   text NOT NULL REFERENCES receivables (id),
  amount_minor    bigint NOT NULL CHECK (amount_minor > 0),
  discount_minor  bigint NOT NULL DEFAULT 0,
  paid_on         date NOT NULL,
  recorded_at     timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX payments_receivable ON payments (receivable_id);

-- Supply to a counterparty is stopped while any row names it. Each receivable
-- only ever inserts or deletes its own row, so receivables of one dealer never
-- race on a shared flag (see activities/receivable/supply.ts).
CREATE TABLE supply_blocks (
  counterparty_id text NOT NULL REFERENCES counterparties (id),
  source          text NOT NULL,      -- receivable id, or 'manual:<who>'
  reason          text NOT NULL,
  since           timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (counterparty_id, source)
);

-- Idempotency of every external effect (e-mail, letter, supply stop, grade
-- change): one key per receivable and step.
CREATE TABLE effects (
  key           text PRIMARY KEY,
  receivable_id text,
  step          text NOT NULL,
  status        text NOT NULL CHECK (status IN ('claimed', 'done')),
  result        jsonb,
  claimed_at    timestamptz NOT NULL DEFAULT now(),
  done_at       timestamptz
);

-- Work for people: visit, phone, record-the-reason, approvals, confirmations.
CREATE TABLE tasks (
  id             bigserial PRIMARY KEY,
  key            text NOT NULL UNIQUE,
  kind           text NOT NULL,
  assignee       text NOT NULL,        -- e-mail or role
  receivable_id  text REFERENCES receivables (id),
  due_on         date,
  status         text NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'done', 'cancelled')),
  detail         jsonb NOT NULL DEFAULT '{}',
  created_at     timestamptz NOT NULL DEFAULT now()
);

-- Append-only, tamper-evident credit record: each row carries a SHA-256 over its
-- canonical content and the previous row's hash.
CREATE TABLE credit_records (
  seq              bigserial PRIMARY KEY,
  subject_type     text NOT NULL,   -- receivable | counterparty | salesperson
  subject_id       text NOT NULL,
  event_type       text NOT NULL,
  payload          jsonb NOT NULL,
  source           text NOT NULL,
  idempotency_key  text NOT NULL UNIQUE,
  recorded_at      timestamptz NOT NULL DEFAULT now(),
  prev_hash        text NOT NULL,
  hash             text NOT NULL
);
CREATE INDEX credit_records_subject ON credit_records (subject_type, subject_id, seq);

CREATE FUNCTION credit_records_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION 'credit_records is append-only';
END $$;
CREATE TRIGGER credit_records_no_update BEFORE UPDATE OR DELETE ON credit_records
  FOR EACH ROW EXECUTE FUNCTION credit_records_append_only();
