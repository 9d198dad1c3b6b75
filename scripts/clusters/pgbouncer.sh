#!/usr/bin/env bash
# PgBouncer in transaction-pooling mode in front of a PostgreSQL server, for the scale-out
# tests (issue 16). Runnable alone or from scripts/clusters/run.
#
#   scripts/clusters/pgbouncer.sh start DIR [UPSTREAM_PORT]   # prints CINNABAR_TEST_PGBOUNCER=...
#   scripts/clusters/pgbouncer.sh stop DIR
#
# UPSTREAM_PORT: the PostgreSQL server on 127.0.0.1 PgBouncer forwards to (default 5432, the
# system server; the dispatcher passes the standby part's primary, 5440). PgBouncer listens on
# 127.0.0.1:6432 with pool_mode = transaction, auth_type = trust (the upstream trusts
# 127.0.0.1 too) and default_pool_size = 3, so the tests' client sessions really share server
# connections. Its files live in DIR/pgbouncer (config, user list, pid, log, socket), owned
# by the postgres user it runs as (PgBouncer refuses to run as root). Only KEY=VALUE lines go
# to stdout; progress goes to stderr. start is idempotent (a running instance is reused);
# stop removes DIR/pgbouncer.
set -euo pipefail

PORT=6432
POOL_SIZE=3
RUN_AS=postgres

log() { echo "pgbouncer.sh: $*" >&2; }
die() { log "$*"; exit 1; }

usage() { die "usage: $0 start DIR [UPSTREAM_PORT] | stop DIR"; }

[ $# -ge 2 ] || usage
cmd=$1
dir=$2
upstream=${3:-5432}
[[ $upstream =~ ^[0-9]+$ ]] || die "UPSTREAM_PORT must be a port number, not '$upstream'"
home="$dir/pgbouncer"
pidfile="$home/pgbouncer.pid"

url="postgresql://postgres@127.0.0.1:$PORT/test?pgbouncer=transaction"

running() {
    [ -f "$pidfile" ] && kill -0 "$(cat "$pidfile")" 2>/dev/null
}

as_user() {
    if [ "$(id -u)" = 0 ]; then
        runuser -u "$RUN_AS" -- "$@"
    else
        "$@"
    fi
}

install_if_missing() {
    command -v pgbouncer >/dev/null 2>&1 && return 0
    log "installing pgbouncer"
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq >&2
    apt-get install -y -qq pgbouncer >&2
    command -v pgbouncer >/dev/null 2>&1 || die "pgbouncer is still missing after apt-get install"
}

# The version as major*100+minor (1.21 -> 121).
version_code() {
    pgbouncer --version 2>/dev/null | awk 'NR==1 { split($2, v, "."); print v[1] * 100 + v[2] }'
}

wait_ready() {
    local i
    for i in $(seq 1 100); do
        if (echo > "/dev/tcp/127.0.0.1/$PORT") 2>/dev/null; then
            return 0
        fi
        running || die "pgbouncer exited during start-up; its log: $(tail -n 20 "$home/pgbouncer.log" 2>/dev/null)"
        sleep 0.1
    done
    die "pgbouncer did not listen on 127.0.0.1:$PORT within 10 s; its log: $(tail -n 20 "$home/pgbouncer.log" 2>/dev/null)"
}

start() {
    if running; then
        log "already running (pid $(cat "$pidfile"))"
        echo "CINNABAR_TEST_PGBOUNCER=$url"
        return 0
    fi
    install_if_missing
    if (echo > "/dev/tcp/127.0.0.1/$PORT") 2>/dev/null; then
        die "127.0.0.1:$PORT is already taken by another process (not this DIR's pgbouncer)"
    fi
    # The package's own service is not ours to run; this instance has its own files.
    mkdir -p "$home"
    local code
    code=$(version_code)
    # max_prepared_statements (PgBouncer >= 1.21) is kept at 0: the driver must work without
    # the pooler's own prepared-statement tracking. Older versions have no such tracking.
    local prepared=""
    if [ "${code:-0}" -ge 121 ]; then
        prepared="max_prepared_statements = 0"
    fi
    cat > "$home/pgbouncer.ini" <<EOF
[databases]
* = host=127.0.0.1 port=$upstream

[pgbouncer]
listen_addr = 127.0.0.1
listen_port = $PORT
unix_socket_dir =
auth_type = trust
auth_file = $home/userlist.txt
pool_mode = transaction
default_pool_size = $POOL_SIZE
min_pool_size = 0
reserve_pool_size = 0
max_client_conn = 500
max_db_connections = $POOL_SIZE
server_reset_query =
ignore_startup_parameters = extra_float_digits
logfile = $home/pgbouncer.log
pidfile = $pidfile
admin_users = $RUN_AS
stats_users = $RUN_AS
$prepared
EOF
    printf '"%s" ""\n' "$RUN_AS" > "$home/userlist.txt"
    chown -R "$RUN_AS" "$home"
    chmod 700 "$home"
    log "starting $(pgbouncer --version | head -n 1) on 127.0.0.1:$PORT -> 127.0.0.1:$upstream (transaction pooling, pool size $POOL_SIZE)"
    as_user pgbouncer -d "$home/pgbouncer.ini" >&2
    # -d returns once the daemon forked; wait for its pid file and socket.
    local i
    for i in $(seq 1 50); do
        [ -s "$pidfile" ] && break
        sleep 0.1
    done
    running || die "pgbouncer did not start; its log: $(tail -n 20 "$home/pgbouncer.log" 2>/dev/null)"
    wait_ready
    echo "CINNABAR_TEST_PGBOUNCER=$url"
}

stop() {
    if running; then
        local pid
        pid=$(cat "$pidfile")
        log "stopping pid $pid"
        # SIGINT: shut down once clients are idle; SIGTERM after 5 s ends it at once.
        kill -INT "$pid" 2>/dev/null || true
        local i
        for i in $(seq 1 50); do
            kill -0 "$pid" 2>/dev/null || break
            sleep 0.1
        done
        if kill -0 "$pid" 2>/dev/null; then
            kill -TERM "$pid" 2>/dev/null || true
            for i in $(seq 1 50); do
                kill -0 "$pid" 2>/dev/null || break
                sleep 0.1
            done
        fi
        kill -0 "$pid" 2>/dev/null && kill -KILL "$pid" 2>/dev/null || true
    fi
    rm -rf "$home"
    rmdir "$dir" 2>/dev/null || true
}

case $cmd in
    start) start ;;
    stop) stop ;;
    *) usage ;;
esac
