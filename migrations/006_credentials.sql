-- API credentials: a bearer token per person or system, stored only as a hash.
CREATE TABLE credentials (
  id              text PRIMARY KEY,
  name            text NOT NULL,
  role            text NOT NULL CHECK (role IN ('finance', 'marketing', 'manager', 'sales', 'credit-desk', 'auditor', 'admin')),
  salesperson_id  text REFERENCES salespeople (id),
  token_hash      text NOT NULL UNIQUE,
  created_at      timestamptz NOT NULL DEFAULT now(),
  revoked_at      timestamptz,
  CHECK (role <> 'sales' OR salesperson_id IS NOT NULL)
);
