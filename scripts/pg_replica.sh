#!/usr/bin/env bash
# A streaming read replica of a PostgreSQL cluster, made with Debian's PostgreSQL tools
# (pg_basebackup -R, then a second cluster on its own port): docs/replicas.md.
#
#   scripts/pg_replica.sh allow-replication          # primary: pg_hba entry + reload (no restart)
#   scripts/pg_replica.sh start <dir> <port>         # base backup (first time) and start
#   scripts/pg_replica.sh stop <dir>                 # stop it (the data stays)
#   scripts/pg_replica.sh destroy <dir>              # stop and delete it
#
# The primary is REPLICA_PRIMARY_HOST:REPLICA_PRIMARY_PORT (127.0.0.1:5432), read as
# REPLICA_SOURCE_USER (postgres). Run as root, the replica runs as the postgres user.
# It streams without a replication slot: a replica left stopped never makes the primary keep
# WAL for it (it is rebuilt by `destroy` + `start` if it fell too far behind).
set -euo pipefail

primary_host="${REPLICA_PRIMARY_HOST:-127.0.0.1}"
primary_port="${REPLICA_PRIMARY_PORT:-5432}"
source_user="${REPLICA_SOURCE_USER:-postgres}"
bindir="${PG_BINDIR:-$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1)}"

as_pg() {
  if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}

primary_setting() {
  psql -h "$primary_host" -p "$primary_port" -U "$source_user" -d postgres -tAc "SHOW $1"
}

case "${1:-}" in
  allow-replication)
    # Replication connections from 127.0.0.1 for the local replica; a reload applies
    # pg_hba.conf (the shared cluster is never restarted).
    hba="$(primary_setting hba_file)"
    if ! grep -Eq '^host[[:space:]]+replication[[:space:]]+all[[:space:]]+127\.0\.0\.1/32' "$hba"; then
      printf '\n# Local streaming replicas (scripts/pg_replica.sh)\nhost replication all 127.0.0.1/32 trust\n' >>"$hba"
      psql -h "$primary_host" -p "$primary_port" -U "$source_user" -d postgres -qtAc "SELECT pg_reload_conf()" >/dev/null
      sleep 1
    fi
    ;;
  start)
    dir="$2" port="$3"
    if pg_isready -h 127.0.0.1 -p "$port" -q 2>/dev/null; then
      exit 0
    fi
    if [ ! -f "$dir/standby.signal" ]; then
      rm -rf "$dir"
      mkdir -p "$dir"
      chmod 700 "$dir"
      [ "$(id -u)" = 0 ] && chown postgres: "$dir"
      as_pg "$bindir/pg_basebackup" -h "$primary_host" -p "$primary_port" -U "$source_user" \
        -D "$dir" -R -X stream -c fast
      # Debian keeps a cluster's configuration in /etc: the copy gets its own. A hot standby
      # needs these at least as high as on the primary.
      as_pg tee "$dir/postgresql.conf" >/dev/null <<CONF
port = $port
listen_addresses = '127.0.0.1'
unix_socket_directories = '$dir'
hba_file = '$dir/pg_hba.conf'
ident_file = '$dir/pg_ident.conf'
hot_standby = on
hot_standby_feedback = on
max_connections = $(primary_setting max_connections)
max_worker_processes = $(primary_setting max_worker_processes)
max_wal_senders = $(primary_setting max_wal_senders)
max_prepared_transactions = $(primary_setting max_prepared_transactions)
max_locks_per_transaction = $(primary_setting max_locks_per_transaction)
shared_buffers = 32MB
fsync = off
CONF
      printf 'local all all trust\nhost all all 127.0.0.1/32 trust\n' | as_pg tee "$dir/pg_hba.conf" >/dev/null
      as_pg touch "$dir/pg_ident.conf"
    fi
    as_pg "$bindir/pg_ctl" -D "$dir" -l "$dir/server.log" -w -t 60 start >/dev/null
    ;;
  stop)
    dir="$2"
    if [ -f "$dir/postmaster.pid" ]; then
      as_pg "$bindir/pg_ctl" -D "$dir" -m fast -w -t 60 stop >/dev/null || true
    fi
    ;;
  destroy)
    "$0" stop "$2"
    rm -rf "$2"
    ;;
  *)
    echo "usage: $0 allow-replication | start <dir> <port> | stop <dir> | destroy <dir>" >&2
    exit 2
    ;;
esac
