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

# A new namespace reaches each server node's namespace cache on that node's next refresh (seconds), not at
# once: until then the node answers "Namespace ... is not found". So each attribute is tried again a while.
ensure_attribute() {
  if temporal operator search-attribute list --namespace "$TEMPORAL_NAMESPACE" | grep -qw "$1"; then
    echo "search attribute $1 exists"
  else
    temporal operator search-attribute create --namespace "$TEMPORAL_NAMESPACE" --name "$1" --type "$2"
  fi
}

for pair in $SEARCH_ATTRIBUTES; do
  name="${pair%%=*}"
  type="${pair#*=}"
  tries=0
  until ensure_attribute "$name" "$type"; do
    tries=$((tries + 1))
    [ "$tries" -lt 30 ] || { echo "could not register search attribute $name" >&2; exit 1; }
    sleep 2
  done
done
