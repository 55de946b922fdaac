#!/usr/bin/env bash
# A throwaway PostgreSQL cluster for the tests: a temporary directory, a unix socket in it, no TCP.
#
#   eval "$(bash .ci/postgres.sh start)"   # prints the exports: COORD_TEST_POSTGRES_URL, …
#   bash .ci/postgres.sh stop "$COORD_TEST_POSTGRES_DIR"
#
# Installs the Debian packages when the server binaries are missing (needs root and apt). The server
# runs as the `postgres` system user when started by root (PostgreSQL refuses to run as root).
# Durability is switched off (fsync, synchronous_commit, full_page_writes): the cluster lives for one
# test run only. COORD_PG_DURABLE=1 keeps PostgreSQL's defaults (for benchmarks that compare back ends).
set -euo pipefail

find_bindir() {
    local dir
    for dir in $(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V -r); do
        if [[ -x "$dir/initdb" && -x "$dir/pg_ctl" && -x "$dir/pg_dump" ]]; then
            echo "$dir"
            return 0
        fi
    done
    if command -v pg_config >/dev/null 2>&1 && [[ -x "$(pg_config --bindir)/initdb" ]]; then
        pg_config --bindir
        return 0
    fi
    return 1
}

as_owner() {
    # Run a server command as the cluster's owner: `postgres` when we are root, ourselves otherwise.
    if [[ "$(id -u)" == 0 ]]; then
        runuser -u postgres -- "$@"
    else
        "$@"
    fi
}

start() {
    local bindir dir port url options
    if ! bindir=$(find_bindir); then
        if [[ "$(id -u)" != 0 ]]; then
            echo "PostgreSQL server binaries not found; install them: apt-get install -y postgresql" >&2
            exit 1
        fi
        echo "installing PostgreSQL (apt-get install postgresql)…" >&2
        DEBIAN_FRONTEND=noninteractive apt-get update -qq >&2
        DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql >&2
        bindir=$(find_bindir)
    fi
    dir=${1:-$(mktemp -d /tmp/coord-pg.XXXXXX)}
    mkdir -p "$dir"
    if [[ "$(id -u)" == 0 ]]; then
        chown postgres: "$dir"
    fi
    chmod 700 "$dir"
    port=5432  # only names the socket file: the server listens on no TCP port
    # C collation: text sorts by code point, as on SQLite.
    as_owner "$bindir/initdb" -D "$dir/data" -U postgres --auth=trust -E UTF8 --locale=C >"$dir/initdb.log" 2>&1 \
        || { cat "$dir/initdb.log" >&2; exit 1; }
    options="-c listen_addresses='' -c unix_socket_directories='$dir' -p $port -c max_connections=300"
    if [[ "${COORD_PG_DURABLE:-}" != 1 ]]; then
        options+=" -c fsync=off -c synchronous_commit=off -c full_page_writes=off"
    fi
    as_owner "$bindir/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w -t 60 start -o "$options" >&2 \
        || { cat "$dir/server.log" >&2; exit 1; }
    url="postgresql+psycopg://postgres@/postgres?host=$dir&port=$port"
    echo "export COORD_TEST_POSTGRES_URL='$url'"
    echo "export COORD_TEST_POSTGRES_DIR='$dir'"
    echo "export COORD_PG_BIN='$bindir'"
}

stop() {
    local dir=${1:?usage: postgres.sh stop DIR} bindir
    bindir=$(find_bindir) || exit 0
    if [[ -f "$dir/data/postmaster.pid" ]]; then
        as_owner "$bindir/pg_ctl" -D "$dir/data" -m immediate -w stop >&2 || true
    fi
    rm -rf "$dir"
}

case "${1:-}" in
    start) shift; start "$@" ;;
    stop) shift; stop "$@" ;;
    *) echo "usage: $0 start [DIR] | stop DIR" >&2; exit 2 ;;
esac
