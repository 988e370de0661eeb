#!/bin/bash
# CI's local PostgreSQL image (deploy/compose-e2e.sh): Debian's postgresql on the debootstrap base, started the way the
# official image is configured (POSTGRES_USER, POSTGRES_PASSWORD, POSTGRES_DB, data in PGDATA), so docker-compose.yml
# runs unchanged. Listens on 127.0.0.1 only: CI runs every container on the host's network.
set -euo pipefail
bin=$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -1)
: "${PGDATA:=/var/lib/postgresql/data}" "${POSTGRES_USER:=postgres}" "${POSTGRES_DB:=$POSTGRES_USER}"
: "${POSTGRES_PASSWORD:?POSTGRES_PASSWORD is required}"
mkdir -p "$PGDATA" && chown postgres: "$PGDATA" && chmod 700 "$PGDATA"
if [ ! -s "$PGDATA/PG_VERSION" ]; then
  pwfile=$(mktemp) && printf '%s\n' "$POSTGRES_PASSWORD" >"$pwfile" && chown postgres: "$pwfile"
  runuser -u postgres -- "$bin/initdb" -D "$PGDATA" -U "$POSTGRES_USER" --pwfile="$pwfile" --auth=scram-sha-256 -E UTF8 --locale=C --no-sync >/dev/null
  rm -f "$pwfile"
  # The database is created on a first, socket-only start, as the official image does.
  runuser -u postgres -- "$bin/pg_ctl" -D "$PGDATA" -o "-c listen_addresses= -k /tmp" -w start >/dev/null
  if [ "$POSTGRES_DB" != postgres ]; then
    PGPASSWORD=$POSTGRES_PASSWORD runuser -u postgres -- "$bin/psql" -h /tmp -U "$POSTGRES_USER" -d postgres -qc "CREATE DATABASE \"$POSTGRES_DB\""
  fi
  runuser -u postgres -- "$bin/pg_ctl" -D "$PGDATA" -m fast -w stop >/dev/null
fi
exec setpriv --reuid=postgres --regid=postgres --init-groups "$bin/postgres" -D "$PGDATA" -c listen_addresses=127.0.0.1 -k /tmp
