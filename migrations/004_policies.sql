-- Company policy documents stored through the admin API, one row per version.
-- The newest applies to new work; workflows keep the version they started under.
CREATE TABLE policies (
  version     text PRIMARY KEY,
  document    jsonb NOT NULL,
  changed_by  text NOT NULL,
  created_at  timestamptz NOT NULL DEFAULT now()
);
