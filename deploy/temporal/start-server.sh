#!/bin/sh
# temporalio/server takes the database password only from POSTGRES_PWD; reading it from the compose
# secret here keeps it out of the compose file and out of `docker inspect`.
set -eu
POSTGRES_PWD="$(cat /run/secrets/postgres_password)"
export POSTGRES_PWD
exec /etc/temporal/entrypoint.sh "$@"
