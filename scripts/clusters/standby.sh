#!/usr/bin/env bash
# A PostgreSQL 15 primary with one streaming hot standby for Cinnabar's read-replica tests
# (issue 16): real postgres processes on 127.0.0.1:5440 (primary) and 127.0.0.1:5441
# (standby, made with pg_basebackup -R), run as the `postgres` user.
#
#   scripts/clusters/standby.sh start DIR   # prints CINNABAR_TEST_PG_PRIMARY=... and
#                                           #        CINNABAR_TEST_PG_STANDBY=...
#   scripts/clusters/standby.sh stop DIR    # stops both servers and removes their files
#
# stdout carries only KEY=VALUE lines; progress goes to stderr. Idempotent: `start` on a
# running pair prints the URLs again; `stop` on a stopped one does nothing. The system
# cluster on 5432 is never touched: the data directories live in a temp directory the
# postgres user owns (its path is kept in DIR/standby/work, since DIR itself may not be
# readable by postgres), with their own sockets, pid files and ports. Trust authentication
# on 127.0.0.1 only (test-only).
set -euo pipefail

log() { echo "standby: $*" >&2; }
die() { log "error: $*"; exit 1; }

cmd=${1:-}
dir=${2:-}
[ -n "$cmd" ] && [ -n "$dir" ] || die "usage: $0 start|stop DIR"

PGBIN=/usr/lib/postgresql/15/bin
PRIMARY_PORT=5440
STANDBY_PORT=5441
state="$dir/standby"

urls() {
    echo "CINNABAR_TEST_PG_PRIMARY=postgresql://postgres@127.0.0.1:$PRIMARY_PORT/test"
    echo "CINNABAR_TEST_PG_STANDBY=postgresql://postgres@127.0.0.1:$STANDBY_PORT/test"
}

as_pg() { runuser -u postgres -- "$@"; }

sql_at() { # port, sql -> unaligned output
    "$PGBIN/psql" -h 127.0.0.1 -p "$1" -U postgres -d postgres -XAtq -c "$2"
}

install_packages() {
    if [ ! -x "$PGBIN/initdb" ] || [ ! -x "$PGBIN/pg_basebackup" ] || [ ! -x "$PGBIN/psql" ]; then
        log "installing postgresql-15"
        export DEBIAN_FRONTEND=noninteractive
        apt-get update -qq >&2 && apt-get install -y -qq postgresql-15 postgresql-client-15 >&2
    fi
    id postgres >/dev/null 2>&1 || die "no postgres user (the postgresql-15 package creates it)"
}

running() { # data dir -> status 0 when its postmaster runs
    [ -d "$1" ] && as_pg "$PGBIN/pg_ctl" -D "$1" status >/dev/null 2>&1
}

stop_all() {
    [ -f "$state/work" ] || { rm -rf "$state"; return 0; }
    local work n
    work=$(cat "$state/work")
    for n in standby primary; do
        if running "$work/$n"; then
            log "stopping the $n"
            as_pg "$PGBIN/pg_ctl" -D "$work/$n" -m fast -w -t 30 stop >&2 || true
        fi
    done
    case "$work" in
        /tmp/cinnabar-standby.*) rm -rf "$work" ;;
        *) die "refusing to remove $work (not a cinnabar-standby temp dir)" ;;
    esac
    rm -rf "$state"
}

port_taken() { # port -> status 0 when something answers there
    "$PGBIN/pg_isready" -h 127.0.0.1 -p "$1" -q -t 1 >/dev/null 2>&1
    [ $? -ne 2 ]
}

start() {
    install_packages
    if [ -f "$state/work" ]; then
        local work
        work=$(cat "$state/work")
        if running "$work/primary" && running "$work/standby"; then
            log "already running in $work"
            urls
            return 0
        fi
        log "a previous start left files behind: cleaning up"
        stop_all
    fi
    for p in $PRIMARY_PORT $STANDBY_PORT; do
        if port_taken "$p"; then die "port $p is already in use"; fi
    done
    mkdir -p "$state"
    local work
    work=$(mktemp -d /tmp/cinnabar-standby.XXXXXX)
    chown postgres: "$work"
    chmod 700 "$work"
    echo "$work" >"$state/work"

    log "initdb of the primary in $work/primary"
    as_pg "$PGBIN/initdb" -D "$work/primary" -U postgres --auth=trust -E UTF8 --locale=C >/dev/null
    cat >>"$work/primary/postgresql.conf" <<CONF
# cinnabar standby.sh (test only)
port = $PRIMARY_PORT
listen_addresses = '127.0.0.1'
unix_socket_directories = '$work'
wal_level = replica
max_wal_senders = 4
wal_keep_size = 64MB
hot_standby = on
shared_buffers = 32MB
max_connections = 100
fsync = off
full_page_writes = off
CONF
    echo "host replication postgres 127.0.0.1/32 trust" >>"$work/primary/pg_hba.conf"
    as_pg "$PGBIN/pg_ctl" -D "$work/primary" -l "$work/primary.log" -w -t 30 start >/dev/null
    sql_at $PRIMARY_PORT "CREATE DATABASE test" >/dev/null

    log "pg_basebackup of the standby in $work/standby"
    as_pg "$PGBIN/pg_basebackup" -h 127.0.0.1 -p $PRIMARY_PORT -U postgres \
        -D "$work/standby" -R -X stream -c fast
    # Later lines win: the copied postgresql.conf still says port 5440.
    echo "port = $STANDBY_PORT" >>"$work/standby/postgresql.conf"
    as_pg "$PGBIN/pg_ctl" -D "$work/standby" -l "$work/standby.log" -w -t 30 start >/dev/null

    log "waiting for the standby to stream"
    local i streaming=0
    for i in $(seq 1 60); do
        streaming=$(sql_at $PRIMARY_PORT \
            "SELECT count(*) FROM pg_stat_replication WHERE state = 'streaming'" 2>/dev/null || echo 0)
        [ "$streaming" = 1 ] && break
        sleep 0.5
    done
    [ "$streaming" = 1 ] || die "the standby is not streaming (see $work/standby.log)"
    [ "$(sql_at $STANDBY_PORT "SELECT pg_is_in_recovery()")" = t ] || die "port $STANDBY_PORT is not in recovery"
    log "primary 127.0.0.1:$PRIMARY_PORT, standby 127.0.0.1:$STANDBY_PORT streaming"
    urls
}

case "$cmd" in
    start) start ;;
    stop) stop_all ;;
    *) die "usage: $0 start|stop DIR" ;;
esac
