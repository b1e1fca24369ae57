-- The debtor portal: one link per counterparty, a random token kept only as its SHA-256,
-- scoped to that counterparty, expiring, revocable by finance (store/portal-links.ts).
CREATE TABLE portal_links (
  id               text PRIMARY KEY,
  counterparty_id  text NOT NULL REFERENCES counterparties (id),
  token_hash       text NOT NULL UNIQUE,
  created_at       timestamptz NOT NULL DEFAULT now(),
  expires_at       timestamptz NOT NULL,
  revoked_at       timestamptz,
  revoked_by       jsonb
);
CREATE INDEX portal_links_counterparty ON portal_links (counterparty_id, expires_at);
