-- One policy in every process: each version is stored whole (`policy`, the resolved
-- document every process reads), the version the first process seeded from
-- POLICY_FILE or the defaults is marked (`seed`: the base an admin's overrides apply
-- to), and every new version is announced on the channel `creditflow_policy` so the
-- API and worker processes switch within seconds (they also re-read periodically).
ALTER TABLE policies ADD COLUMN policy jsonb;
ALTER TABLE policies ADD COLUMN seed boolean NOT NULL DEFAULT false;
CREATE UNIQUE INDEX policies_one_seed ON policies (seed) WHERE seed;
CREATE INDEX policies_in_force ON policies (created_at DESC, version DESC) WHERE policy IS NOT NULL;

CREATE FUNCTION announce_policy_version() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  PERFORM pg_notify('creditflow_policy', NEW.version);
  RETURN NULL;
END $$;
CREATE TRIGGER policies_announce AFTER INSERT OR UPDATE ON policies
  FOR EACH ROW EXECUTE FUNCTION announce_policy_version();
