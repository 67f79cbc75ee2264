#!/bin/sh
# First start: initialise the cluster. Roles, grants and the real pg_hba.conf are applied by the
# worker as the superuser over the local socket at every start (apps/worker/src/postgres/server.ts):
# until then only the superuser, locally, can log in.
set -eu
if [ ! -s "$PGDATA/PG_VERSION" ]; then
  initdb -D "$PGDATA" -U postgres --auth-local=peer --auth-host=reject -E UTF8 --locale=C.UTF-8 >/dev/null
  {
    echo "listen_addresses = '*'"
    echo "unix_socket_directories = '/run/postgresql'"
    echo "max_connections = 300"
    echo "shared_buffers = 128MB"
    echo "password_encryption = 'scram-sha-256'"
  } >> "$PGDATA/postgresql.conf"
  echo "local all postgres peer" > "$PGDATA/pg_hba.conf"
fi
exec "$@" -D "$PGDATA"
