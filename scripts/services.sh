#!/usr/bin/env bash
# PostgreSQL and Redis for the test suite. Prints shell lines for `eval`:
#   export ARRECON_TEST_DATABASE_URL=...   (a fresh throwaway database)
#   export ARRECON_TEST_REDIS_URL=...
#   trap '<cleanup>' EXIT                  (drops the database / stops what this script started)
# The machine's own servers (127.0.0.1:5432, 127.0.0.1:6379) are used when they answer; otherwise
# throwaway instances are started on free ports in a temp dir (initdb refuses root, so PostgreSQL
# runs as the `postgres` user; ARRECON_SERVICES_THROWAWAY=1 forces that even when the machine's servers
# answer). `services.sh stop STATE_DIR` undoes what a previous run set up.
# Everything this script says for humans goes to stderr: stdout is for eval only.
set -euo pipefail

PG_BIN="${PG_BIN:-$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1)}"

port_open() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

free_port() {
    python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

as_postgres() {
    if [ "$(id -u)" -eq 0 ]; then su postgres -s /bin/bash -c "$*"; else bash -c "$*"; fi
}

stop() {
    local state="$1"
    [ -d "$state" ] || exit 0
    if [ -f "$state/dropdb" ]; then
        dropdb -h 127.0.0.1 -p "$(cat "$state/pg_port")" -U postgres --if-exists --force "$(cat "$state/dropdb")" \
            >/dev/null 2>&1 || true
    fi
    if [ -f "$state/pgdata/postmaster.pid" ]; then
        as_postgres "'$PG_BIN/pg_ctl' -D '$state/pgdata' -m immediate -w stop" >/dev/null 2>&1 || true
    fi
    if [ -f "$state/redis.pid" ]; then
        kill "$(cat "$state/redis.pid")" 2>/dev/null || true
    fi
    rm -rf "$state"
}

if [ "${1:-}" = "stop" ]; then
    stop "$2"
    exit 0
fi

state="$(mktemp -d /tmp/arrecon-services.XXXXXX)"
chmod 755 "$state"
db="arrecon_test_$(python3 -c 'import secrets; print(secrets.token_hex(5))')"

# PostgreSQL: the machine's server, or a throwaway cluster.
if [ -z "${ARRECON_SERVICES_THROWAWAY:-}" ] && port_open 5432; then
    pg_port=5432
    echo "services.sh: using PostgreSQL on 127.0.0.1:5432" >&2
else
    pg_port="$(free_port)"
    echo "services.sh: starting a throwaway PostgreSQL on 127.0.0.1:$pg_port" >&2
    [ -x "$PG_BIN/initdb" ] || { echo "services.sh: PostgreSQL binaries not found (apt package postgresql)" >&2; exit 1; }
    [ "$(id -u)" -ne 0 ] || chown postgres "$state"
    as_postgres "'$PG_BIN/initdb' -D '$state/pgdata' -U postgres -A trust --no-sync -E UTF8" >/dev/null
    as_postgres "'$PG_BIN/pg_ctl' -D '$state/pgdata' -l '$state/pg.log' -w \
        -o \"-h 127.0.0.1 -p $pg_port -k '$state' -c fsync=off -c full_page_writes=off\" start" >/dev/null
fi
echo "$pg_port" >"$state/pg_port"
createdb -h 127.0.0.1 -p "$pg_port" -U postgres "$db"
echo "$db" >"$state/dropdb"

# Redis: the machine's server, or a throwaway one without persistence.
if [ -z "${ARRECON_SERVICES_THROWAWAY:-}" ] && port_open 6379; then
    redis_url="redis://127.0.0.1:6379/0"
    echo "services.sh: using Redis on 127.0.0.1:6379" >&2
else
    redis_port="$(free_port)"
    echo "services.sh: starting a throwaway Redis on 127.0.0.1:$redis_port" >&2
    command -v redis-server >/dev/null || { echo "services.sh: redis-server not found (apt package redis-server)" >&2; exit 1; }
    redis-server --port "$redis_port" --bind 127.0.0.1 --save '' --appendonly no --daemonize yes \
        --pidfile "$state/redis.pid" --logfile "$state/redis.log" --dir "$state" >/dev/null
    for _ in $(seq 50); do port_open "$redis_port" && break; sleep 0.1; done
    redis_url="redis://127.0.0.1:$redis_port/0"
fi

echo "export ARRECON_TEST_DATABASE_URL='postgresql+psycopg://postgres@127.0.0.1:$pg_port/$db'"
echo "export ARRECON_TEST_REDIS_URL='$redis_url'"
echo "trap 'bash \"$(cd "$(dirname "$0")" && pwd)/services.sh\" stop \"$state\"' EXIT"
