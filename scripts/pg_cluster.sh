#!/usr/bin/env bash
# A throwaway PostgreSQL cluster for tests and benchmarks (Debian's `postgresql`).
#   scripts/pg_cluster.sh start DIR   -> initdb into DIR, start on a free port on 127.0.0.1, print the URL
#   scripts/pg_cluster.sh stop DIR    -> stop it and remove DIR
# Run as root, the cluster belongs to the `postgres` system user (PostgreSQL refuses to run as root).
set -euo pipefail
action=${1:?start|stop}; dir=${2:?DIR}
bin=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1)
if [ -z "$bin" ]; then echo "pg_cluster: PostgreSQL is not installed (apt-get install -y postgresql)" >&2; exit 1; fi
as_owner() { if [ "$(id -u)" = "0" ]; then runuser -u postgres -- "$@"; else "$@"; fi; }
case "$action" in
  start)
    mkdir -p "$dir"
    if [ "$(id -u)" = "0" ]; then chown postgres: "$dir"; fi
    port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
    as_owner "$bin/initdb" -D "$dir/data" -U learnsys --auth=trust -E UTF8 >"$dir/initdb.log" 2>&1
    as_owner "$bin/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w \
      -o "-c listen_addresses=127.0.0.1 -p $port -k $dir -c fsync=on -c max_connections=200" start >/dev/null
    as_owner "$bin/createdb" -h 127.0.0.1 -p "$port" -U learnsys learnsys
    echo "postgresql+psycopg://learnsys@127.0.0.1:$port/learnsys"
    ;;
  stop)
    if [ -d "$dir/data" ]; then as_owner "$bin/pg_ctl" -D "$dir/data" -m immediate stop >/dev/null 2>&1 || true; fi
    rm -rf "$dir"
    ;;
  *) echo "usage: $0 start|stop DIR" >&2; exit 2 ;;
esac
