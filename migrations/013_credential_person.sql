-- Credentials are per person: the login name stays in `name`, the person's own
-- name (李丽) beside it. The actor of every credit fact is read from here.
ALTER TABLE credentials ADD COLUMN display_name text;
