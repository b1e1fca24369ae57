-- API processes keep the credentials they have verified in memory (api/credential-cache.ts);
-- any change to what a credential proves — revoked, deleted, another role, salesperson,
-- name or token — is announced on the channel `creditflow_credentials` (its id) in the
-- transaction that makes it, so every process forgets it as that transaction commits,
-- whichever tool or statement made the change.
CREATE FUNCTION announce_credential_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  PERFORM pg_notify('creditflow_credentials', OLD.id);
  RETURN NULL;
END $$;
CREATE TRIGGER credentials_announce_change AFTER UPDATE ON credentials
  FOR EACH ROW
  WHEN (OLD.revoked_at IS DISTINCT FROM NEW.revoked_at
     OR OLD.token_hash IS DISTINCT FROM NEW.token_hash
     OR OLD.role IS DISTINCT FROM NEW.role
     OR OLD.salesperson_id IS DISTINCT FROM NEW.salesperson_id
     OR OLD.name IS DISTINCT FROM NEW.name
     OR OLD.display_name IS DISTINCT FROM NEW.display_name
     OR OLD.id IS DISTINCT FROM NEW.id)
  EXECUTE FUNCTION announce_credential_change();
CREATE TRIGGER credentials_announce_removal AFTER DELETE ON credentials
  FOR EACH ROW EXECUTE FUNCTION announce_credential_change();
