#!/bin/sh
# temporalio/server takes the database password only from POSTGRES_PWD; reading it from the compose
# secret (POSTGRES_PASSWORD_FILE) here keeps it out of the compose file and out of `docker inspect`.
# TEMPORAL_ENTRYPOINT is the image's entrypoint; the cluster test tier (test/cluster) points it at the
# same script from the server's Go module, beside a temporal-server built from that module.
set -eu
POSTGRES_PWD="$(cat "${POSTGRES_PASSWORD_FILE:-/run/secrets/postgres_password}")"
export POSTGRES_PWD
# The server's config template (config/docker.yaml in go.temporal.io/server) reads the visibility
# database's port from POSTGRES_PORT, not DB_PORT: without this, a database on any port but 5432 would
# serve the history store and leave visibility dialling 5432.
POSTGRES_PORT="${POSTGRES_PORT:-${DB_PORT:-5432}}"
export POSTGRES_PORT
exec "${TEMPORAL_ENTRYPOINT:-/etc/temporal/entrypoint.sh}" "$@"
