#!/bin/sh
# One-shot: once the server answers, creates the collector's namespace and registers its search
# attributes (SEARCH_ATTRIBUTES, Name=Type pairs: workflows/search-attributes.ts), skipping any that
# exist, so it is safe on every `docker compose up`. The `temporal` CLI finds the server by
# TEMPORAL_ADDRESS; the defaults below are the compose file's.
set -eu

: "${TEMPORAL_NAMESPACE:=default}"
: "${NAMESPACE_RETENTION:=168h}"
: "${SEARCH_ATTRIBUTES:?Name=Type pairs to register}"

tries=0
until temporal operator cluster health >/dev/null 2>&1; do
  tries=$((tries + 1))
  [ "$tries" -lt 60 ] || { echo "Temporal at ${TEMPORAL_ADDRESS:-127.0.0.1:7233} did not become healthy" >&2; exit 1; }
  sleep 2
done

if ! temporal operator namespace describe --namespace "$TEMPORAL_NAMESPACE" >/dev/null 2>&1; then
  temporal operator namespace create --namespace "$TEMPORAL_NAMESPACE" --retention "$NAMESPACE_RETENTION"
fi

existing="$(temporal operator search-attribute list --namespace "$TEMPORAL_NAMESPACE")"
for pair in $SEARCH_ATTRIBUTES; do
  name="${pair%%=*}"
  type="${pair#*=}"
  if printf '%s\n' "$existing" | grep -qw "$name"; then
    echo "search attribute $name exists"
  else
    temporal operator search-attribute create --namespace "$TEMPORAL_NAMESPACE" --name "$name" --type "$type"
  fi
done
