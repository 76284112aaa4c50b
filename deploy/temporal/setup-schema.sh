#!/bin/sh
# One-shot PostgreSQL schema setup for Temporal, run by temporalio/admin-tools before the server starts
# (the procedure of temporalio/samples-server compose/scripts/setup-postgres.sh). The first run creates
# both databases and their base schema; every run brings them to this admin-tools release's schema
# version, so upgrading Temporal is a new image tag and `docker compose up -d`.
set -eu

SQL_PASSWORD="$(cat /run/secrets/postgres_password)"
export SQL_PASSWORD

sql() {
  temporal-sql-tool --plugin postgres12 --ep postgresql -p 5432 -u temporal "$@"
}

for db in temporal temporal_visibility; do
  case "$db" in
    temporal) schema=temporal ;;
    *) schema=visibility ;;
  esac
  if sql --db "$db" create >/tmp/create.log 2>&1; then
    sql --db "$db" setup-schema -v 0.0
  elif ! grep -q 'already exists' /tmp/create.log; then
    cat /tmp/create.log >&2
    exit 1
  fi
  sql --db "$db" update-schema -d "/etc/temporal/schema/postgresql/v12/$schema/versioned"
done
echo 'Temporal schema is up to date'
