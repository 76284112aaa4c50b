#!/bin/sh
# One-shot PostgreSQL schema setup for Temporal, run by temporalio/admin-tools before the server starts
# (the procedure of temporalio/samples-server compose/scripts/setup-postgres.sh). The first run creates
# both databases and their base schema; every run brings them to this admin-tools release's schema
# version, so upgrading Temporal is a new image tag and `docker compose up -d`.
#
# Where the database is comes from the server's own variables (POSTGRES_SEEDS, DB_PORT, POSTGRES_USER),
# its password from the file POSTGRES_PASSWORD_FILE; the defaults are the compose file's. The cluster test
# tier (test/cluster) runs this same script against a throwaway PostgreSQL with the schema files of the
# server's Go module (TEMPORAL_SCHEMA_DIR).
set -eu

: "${POSTGRES_SEEDS:=postgresql}"
: "${DB_PORT:=5432}"
: "${POSTGRES_USER:=temporal}"
: "${POSTGRES_PASSWORD_FILE:=/run/secrets/postgres_password}"
: "${TEMPORAL_SCHEMA_DIR:=/etc/temporal/schema}"

SQL_PASSWORD="$(cat "$POSTGRES_PASSWORD_FILE")"
export SQL_PASSWORD
log="$(mktemp)"
trap 'rm -f "$log"' EXIT

sql() {
  temporal-sql-tool --plugin postgres12 --ep "$POSTGRES_SEEDS" -p "$DB_PORT" -u "$POSTGRES_USER" "$@"
}

for db in temporal temporal_visibility; do
  case "$db" in
    temporal) schema=temporal ;;
    *) schema=visibility ;;
  esac
  if sql --db "$db" create >"$log" 2>&1; then
    sql --db "$db" setup-schema -v 0.0
  elif ! grep -q 'already exists' "$log"; then
    cat "$log" >&2
    exit 1
  fi
  sql --db "$db" update-schema -d "$TEMPORAL_SCHEMA_DIR/postgresql/v12/$schema/versioned"
done
echo 'Temporal schema is up to date'
