#!/usr/bin/env bash
# A three-node MariaDB Galera cluster for Cinnabar's cluster tests (issue 16), as real
# mariadbd processes on 127.0.0.1:3307-3309, each with its own datadir under DIR.
#
#   scripts/clusters/galera.sh start DIR   # prints CINNABAR_TEST_GALERA=<url>,<url>,<url>
#   scripts/clusters/galera.sh stop DIR    # stops the nodes and removes DIR/galera
#
# stdout carries only KEY=VALUE lines; progress goes to stderr. Idempotent: `start` on a
# running cluster prints its URLs again; `stop` on a stopped one does nothing. The system
# MariaDB on 3306 is never touched (own datadirs, sockets, pid files and ports; --no-defaults
# so /etc/mysql is not read).
#
# Ports: client 3307-3309, group communication (gmcast) 4567/4577/4587, IST 4568/4578/4588,
# SST 4444/4454/4464. Node 1 bootstraps the cluster (--wsrep-new-cluster); nodes 2 and 3 join
# it and receive its state by rsync SST. Root has no password over TCP (test-only).
set -euo pipefail

log() { echo "galera: $*" >&2; }
die() { log "error: $*"; exit 1; }

cmd=${1:-}
dir=${2:-}
[ -n "$cmd" ] && [ -n "$dir" ] || die "usage: $0 start|stop DIR"

BASE_PORT=3307
NODES=3
PROVIDER=/usr/lib/galera/libgalera_smm.so
[ -e "$PROVIDER" ] || PROVIDER=/usr/lib/libgalera_smm.so

root="$dir/galera"

node_port() { echo $((BASE_PORT + $1 - 1)); }
gm_port() { echo $((4567 + ($1 - 1) * 10)); }
ist_port() { echo $((4568 + ($1 - 1) * 10)); }
sst_port() { echo $((4444 + ($1 - 1) * 10)); }

urls() {
    local out="" i
    for i in $(seq 1 $NODES); do
        out="${out:+$out,}mysql://root@127.0.0.1:$(node_port "$i")/test"
    done
    echo "CINNABAR_TEST_GALERA=$out"
}

client() { # node, sql...
    local n=$1; shift
    mariadb --no-defaults -h127.0.0.1 -P"$(node_port "$n")" -uroot -N -B -e "$*" 2>/dev/null
}

status_of() { # node variable -> value or empty
    client "$1" "SHOW STATUS LIKE '$2'" | awk '{print $2}'
}

install_packages() {
    local missing=()
    command -v mariadbd >/dev/null || missing+=(mariadb-server)
    command -v mariadb >/dev/null || missing+=(mariadb-client)
    [ -e "$PROVIDER" ] || [ -e /usr/lib/galera/libgalera_smm.so ] || missing+=(galera-4)
    command -v rsync >/dev/null || missing+=(rsync)
    command -v socat >/dev/null || missing+=(socat)
    command -v lsof >/dev/null || missing+=(lsof)
    if [ ${#missing[@]} -gt 0 ]; then
        log "installing ${missing[*]}"
        export DEBIAN_FRONTEND=noninteractive
        apt-get -o DPkg::Lock::Timeout=300 update -qq >&2 &&
            apt-get -o DPkg::Lock::Timeout=300 install -y -qq "${missing[@]}" >&2
        PROVIDER=/usr/lib/galera/libgalera_smm.so
        [ -e "$PROVIDER" ] || PROVIDER=/usr/lib/libgalera_smm.so
    fi
}

pid_of() { # node -> pid if alive
    local f="$root/node$1/mariadbd.pid"
    [ -f "$f" ] || return 1
    local pid
    pid=$(cat "$f")
    kill -0 "$pid" 2>/dev/null || return 1
    echo "$pid"
}

write_config() { # node
    local n=$1 addrs="" i
    local d="$root/node$n"
    for i in $(seq 1 $NODES); do
        addrs="${addrs:+$addrs,}127.0.0.1:$(gm_port "$i")"
    done
    cat >"$d/my.cnf" <<CNF
[mariadbd]
datadir=$d/data
socket=$d/mariadbd.sock
pid-file=$d/mariadbd.pid
log-error=$d/error.log
bind-address=127.0.0.1
port=$(node_port "$n")
skip-name-resolve
innodb_buffer_pool_size=64M
innodb_log_file_size=48M
innodb_flush_log_at_trx_commit=2
binlog_format=ROW
default_storage_engine=InnoDB
innodb_autoinc_lock_mode=2
max_connections=200
wsrep_on=ON
wsrep_provider=$PROVIDER
wsrep_cluster_name=cinnabar_test
wsrep_cluster_address=gcomm://$addrs
wsrep_node_name=node$n
wsrep_node_address=127.0.0.1:$(gm_port "$n")
wsrep_node_incoming_address=127.0.0.1:$(node_port "$n")
wsrep_sst_method=rsync
wsrep_sst_receive_address=127.0.0.1:$(sst_port "$n")
wsrep_provider_options="gmcast.listen_addr=tcp://127.0.0.1:$(gm_port "$n");ist.recv_addr=127.0.0.1:$(ist_port "$n");gcache.size=32M;evs.suspect_timeout=PT5S;evs.inactive_timeout=PT10S"
wsrep_slave_threads=2
CNF
}

# As root, the servers run as the `mysql` system user (mariadbd switches itself): the joiners'
# rsync daemon would otherwise drop to `nobody` and fail to write the datadir.
run_user() {
    if [ "$(id -u)" = 0 ]; then echo --user=mysql; else echo; fi
}

start_node() { # node [--wsrep-new-cluster]
    local n=$1; shift
    local d="$root/node$n"
    # PATH must hold wsrep_sst_rsync and friends for the joiners' state transfer.
    # shellcheck disable=SC2046
    PATH="/usr/bin:/usr/sbin:/bin:/sbin:$PATH" setsid mariadbd --defaults-file="$d/my.cnf" $(run_user) "$@" \
        </dev/null >>"$d/stdout.log" 2>&1 &
}

wait_synced() { # node seconds
    local n=$1 limit=$2 t=0
    while [ "$t" -lt $((limit * 5)) ]; do
        if [ "$(status_of "$n" wsrep_local_state_comment)" = Synced ] &&
            [ "$(status_of "$n" wsrep_ready)" = ON ]; then
            return 0
        fi
        sleep 0.2
        t=$((t + 1))
    done
    log "node $n did not reach Synced within ${limit}s; last lines of its log:"
    tail -n 30 "$root/node$n/error.log" >&2 || true
    return 1
}

start() {
    install_packages
    local running=0 i
    for i in $(seq 1 $NODES); do
        if pid_of "$i" >/dev/null; then running=$((running + 1)); fi
    done
    if [ "$running" = "$NODES" ] && [ "$(status_of 1 wsrep_cluster_size)" = "$NODES" ]; then
        log "already running"
        urls
        return 0
    fi
    if [ "$running" -gt 0 ]; then
        log "a partial cluster is running: stopping it first"
        stop
    fi
    for i in $(seq 1 $NODES); do
        local p
        p=$(node_port "$i")
        if (exec 3<>"/dev/tcp/127.0.0.1/$p") 2>/dev/null; then
            die "port $p is taken by another process"
        fi
    done
    rm -rf "$root"
    mkdir -p "$root"
    local began=$SECONDS
    for i in $(seq 1 $NODES); do
        mkdir -p "$root/node$i/data"
        write_config "$i"
    done
    if [ "$(id -u)" = 0 ]; then
        id mysql >/dev/null 2>&1 || die "no mysql system user (is mariadb-server installed?)"
        chown -R mysql: "$root"
        runuser -u mysql -- test -w "$root/node1/data" ||
            die "the mysql user cannot reach $root (a parent directory is not searchable)"
    fi
    log "initialising the first node's datadir"
    mariadb-install-db --defaults-file="$root/node1/my.cnf" $(run_user) --auth-root-authentication-method=normal \
        --skip-test-db --wsrep-on=OFF >"$root/node1/install.log" 2>&1 ||
        { cat "$root/node1/install.log" >&2; die "mariadb-install-db failed"; }
    log "bootstrapping node 1 on port $(node_port 1)"
    start_node 1 --wsrep-new-cluster
    wait_synced 1 60 || die "node 1 did not start"
    client 1 "CREATE DATABASE IF NOT EXISTS test; \
        CREATE USER IF NOT EXISTS 'root'@'127.0.0.1' IDENTIFIED BY ''; \
        GRANT ALL PRIVILEGES ON *.* TO 'root'@'127.0.0.1' WITH GRANT OPTION; \
        GRANT ALL PRIVILEGES ON *.* TO 'root'@'localhost' WITH GRANT OPTION;" ||
        die "setting up root and the test database failed"
    for i in $(seq 2 $NODES); do
        # An empty datadir: the joiner takes node 1's state by SST.
        log "starting node $i on port $(node_port "$i")"
        start_node "$i"
        wait_synced "$i" 60 || die "node $i did not join"
    done
    local size
    size=$(status_of 1 wsrep_cluster_size)
    [ "$size" = "$NODES" ] || die "cluster size is $size, expected $NODES"
    for i in $(seq 1 $NODES); do
        [ "$(client "$i" "SELECT COUNT(*) FROM information_schema.SCHEMATA WHERE SCHEMA_NAME='test'")" = 1 ] ||
            die "node $i has no test database"
    done
    log "cluster of $NODES nodes ready in $((SECONDS - began)) s"
    urls
}

stop() {
    [ -d "$root" ] || { log "nothing to stop in $root"; return 0; }
    local i pids=()
    # Joiners first, the bootstrap node last, so no node waits for a cluster that left.
    for i in $(seq $NODES -1 1); do
        local pid
        if pid=$(pid_of "$i"); then
            log "stopping node $i (pid $pid)"
            kill -TERM "$pid" 2>/dev/null || true
            pids+=("$pid")
            local t=0
            while kill -0 "$pid" 2>/dev/null && [ $t -lt 150 ]; do sleep 0.2; t=$((t + 1)); done
            if kill -0 "$pid" 2>/dev/null; then
                log "node $i did not stop in 30 s: killing it"
                kill -KILL "$pid" 2>/dev/null || true
            fi
        fi
    done
    # SST helpers (rsync daemons) a failed join may have left, by their pid files under DIR.
    local f
    for f in "$root"/node*/data/rsync_sst.pid "$root"/node*/data/*.pid; do
        [ -f "$f" ] || continue
        local pid
        pid=$(cat "$f" 2>/dev/null || true)
        if [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null; then kill -TERM "$pid" 2>/dev/null || true; fi
    done
    rm -rf "$root"
    log "stopped"
}

case "$cmd" in
start) start ;;
stop) stop ;;
*) die "usage: $0 start|stop DIR" ;;
esac
