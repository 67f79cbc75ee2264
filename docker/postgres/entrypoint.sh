#!/bin/sh
# First start: initialise the cluster, then create the dedicated role Odoo connects with
# (Odoo refuses the postgres superuser). The superuser only accepts local socket connections.
set -eu
: "${POSTGRES_ROLE:=odoo}"
: "${POSTGRES_ROLE_PASSWORD:?POSTGRES_ROLE_PASSWORD must be set}"
if [ ! -s "$PGDATA/PG_VERSION" ]; then
  initdb -D "$PGDATA" -U postgres --auth-local=peer --auth-host=scram-sha-256 -E UTF8 --locale=C.UTF-8 >/dev/null
  {
    echo "listen_addresses = '*'"
    echo "unix_socket_directories = '/run/postgresql'"
    echo "max_connections = 300"
    echo "shared_buffers = 128MB"
  } >> "$PGDATA/postgresql.conf"
  {
    echo "local all postgres peer"
    echo "local all all scram-sha-256"
    echo "host all postgres 0.0.0.0/0 reject"
    echo "host all all 0.0.0.0/0 scram-sha-256"
  } > "$PGDATA/pg_hba.conf"
  postgres -D "$PGDATA" -c listen_addresses='' &
  pid=$!
  until pg_isready -h /run/postgresql -q; do sleep 0.2; done
  psql -h /run/postgresql -U postgres -v ON_ERROR_STOP=1 -q \
    -v role="$POSTGRES_ROLE" -v pw="$POSTGRES_ROLE_PASSWORD" <<'SQL'
CREATE ROLE :"role" LOGIN CREATEDB PASSWORD :'pw';
SQL
  kill -INT "$pid"; wait "$pid" || true
fi
exec "$@" -D "$PGDATA"
