-- The wording of every message, as templates the company edits (docs/templates.md): each
-- (kind, language) has numbered versions, stored whole with who changed it and when; the
-- version in force is the newest. The shipped files under templates/ are the version
-- 'shipped' of a kind with no stored version. Versions are never changed or removed.
CREATE TABLE message_templates (
  kind text NOT NULL,
  language text NOT NULL,
  version integer NOT NULL CHECK (version > 0),
  subject text NOT NULL,
  body text NOT NULL,
  changed_by text NOT NULL,
  changed_by_actor jsonb NOT NULL,
  changed_at timestamptz NOT NULL DEFAULT clock_timestamp(),
  PRIMARY KEY (kind, language, version)
);

CREATE FUNCTION message_templates_are_kept() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION 'message template versions are never changed or removed';
END $$;
CREATE TRIGGER message_templates_kept BEFORE UPDATE OR DELETE ON message_templates
  FOR EACH ROW EXECUTE FUNCTION message_templates_are_kept();

-- A counterparty's language is a language tag: 'zh-CN', 'en', or one the company adds templates
-- for (a kind without a template in it is written in zh-CN).
ALTER TABLE counterparties DROP CONSTRAINT IF EXISTS counterparties_language_check;
ALTER TABLE counterparties ADD CONSTRAINT counterparties_language_tag
  CHECK (language ~ '^[a-z]{2,3}(-[A-Z][a-z]{3})?(-([A-Z]{2}|[0-9]{3}))?$');
