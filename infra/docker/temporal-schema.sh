#!/bin/sh
# One-shot job (docker-compose.yml, temporal-schema, on temporalio/admin-tools): creates
# Temporal's two databases in PostgreSQL and brings their schemas to the version of this
# admin-tools image, as Temporal's own compose files do. Safe on every `docker compose
# up`: an existing database is kept, setup-schema leaves a versioned schema alone, and
# update-schema applies only the versions not yet applied. The server starts after it.
set -eu
: "${POSTGRES_SEEDS:?}" "${POSTGRES_USER:?}" "${SQL_PASSWORD:?}"

tool() {
  temporal-sql-tool --plugin postgres12 --ep "$POSTGRES_SEEDS" -p "${DB_PORT:-5432}" -u "$POSTGRES_USER" "$@"
}

for db in temporal:temporal temporal_visibility:visibility; do
  name=${db%%:*}
  schema=/etc/temporal/schema/postgresql/v12/${db##*:}/versioned
  if ! out=$(tool --db "$name" create 2>&1); then
    case "$out" in
      *"already exists"*) echo "database $name exists" ;;
      *) echo "$out" >&2; exit 1 ;;
    esac
  fi
  tool --db "$name" setup-schema -v 0.0
  tool --db "$name" update-schema -d "$schema"
done
echo "Temporal's schema is up to date"
