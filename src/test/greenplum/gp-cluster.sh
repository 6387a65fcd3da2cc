#!/usr/bin/env bash
# A real Greenplum 7 / WarehousePG 7 cluster for the integration tests, built from any installation:
# a coordinator (content -1) and N primary segments on 127.0.0.1, WAL archived per content id, and a
# stopped DR copy of every instance made with pg_basebackup (backup_label, standby.signal, no manifest).
#   gp-cluster.sh up GP_HOME DIR PORT_BASE [SEGMENTS]   coordinator P, segment i at P+2+i, DR copies at +1000
#   gp-cluster.sh down DIR                                 stop every server started from DIR
# As root the servers run as $GP_USER (default gpadmin, created when missing). gp_segment_configuration
# lists hostname 'gp-test-host' but address 127.0.0.1, as many real clusters do: Greenplum connects to address.
# Modelled on shared/gp7-lab/lab.sh, with the installation as a parameter (no gpinitsystem needed: the
# catalog work is gp_add_segment and pg_ctl).
set -euo pipefail
trap 'echo "gp-cluster.sh: line $LINENO failed (exit $?): $BASH_COMMAND" >&2' ERR
cmd=${1:-}
if [ "$(id -u)" = 0 ]; then U=${GP_USER:-gpadmin}; else U=$(id -un); fi

as() {
    if [ "$(id -u)" = 0 ]; then
        runuser -u "$U" -- env PATH="$GP/bin:$PATH" LD_LIBRARY_PATH="$GP/lib" "$@"
    else
        env PATH="$GP/bin:$PATH" LD_LIBRARY_PATH="$GP/lib" "$@"
    fi
}

up() {
    GP=$(cd "$1" && pwd); dir=$2; P=$3; n=${4:-2}
    [ -x "$GP/bin/postgres" ] || { echo "gp-cluster.sh: $GP/bin/postgres not found" >&2; exit 2; }
    mkdir -p "$dir"; dir=$(cd "$dir" && pwd)
    [ ! -e "$dir/data" ] || { echo "gp-cluster.sh: $dir already holds a cluster" >&2; exit 2; }
    if [ "$(id -u)" = 0 ] && ! id "$U" >/dev/null 2>&1; then useradd -m -s /bin/bash "$U"; fi
    chmod 755 "$dir"
    echo "$GP" > "$dir/.gp_home"
    local arch=$dir/archive
    local specs=("qd -1 1 $P")
    for ((i = 0; i < n; i++)); do specs+=("seg$i $i $((i + 2)) $((P + 2 + i))"); done
    mkdir -p "$dir/data" "$dir/dr"
    for s in "${specs[@]}"; do set -- $s; mkdir -p "$arch/$2"; done
    [ "$(id -u)" != 0 ] || chown -R "$U" "$dir/data" "$dir/dr" "$arch"
    for s in "${specs[@]}"; do set -- $s
        as initdb -E UNICODE --locale=C -D "$dir/data/$1" > "$dir/data/initdb-$1.log" 2>&1
        as mkdir -p "$dir/data/$1/log"
        as sh -c "cat >> '$dir/data/$1/postgresql.conf'" <<CONF
# test cluster settings
port = $4
listen_addresses = '127.0.0.1'
unix_socket_directories = '$dir/data'
gp_contentid = $2
wal_level = replica
archive_mode = on
archive_command = 'test ! -f $arch/$2/%f && cp %p $arch/$2/%f'
max_wal_senders = 10
shared_preload_libraries = ''
CONF
        as sh -c "echo 'gp_dbid = $3' >> '$dir/data/$1/internal.auto.conf'; printf 'host all all 127.0.0.1/32 trust\nhost replication all 127.0.0.1/32 trust\nlocal replication all trust\n' >> '$dir/data/$1/pg_hba.conf'"
    done
    as pg_ctl -w -D "$dir/data/qd" -l "$dir/data/qd/log/admin.log" -o "-c gp_role=utility" start >/dev/null
    for s in "${specs[@]}"; do set -- $s
        as env PGOPTIONS="-c gp_role=utility" psql -X -h 127.0.0.1 -p "$P" -d postgres -v ON_ERROR_STOP=1 -qAt -c \
            "SELECT pg_catalog.gp_add_segment($3::int2, $2::int2, 'p', 'p', 'n', 'u', $4, 'gp-test-host', '127.0.0.1', '$dir/data/$1');" >>"$dir/data/gp_add_segment.log" 2>&1
    done
    as pg_ctl -w -D "$dir/data/qd" -m fast stop >/dev/null
    for s in "${specs[@]:1}"; do set -- $s
        as pg_ctl -w -D "$dir/data/$1" -l "$dir/data/$1/log/startup.log" -o "-c gp_role=execute" start >/dev/null
    done
    as pg_ctl -w -D "$dir/data/qd" -l "$dir/data/qd/log/startup.log" -o "-c gp_role=dispatch" start >/dev/null
    for s in "${specs[@]}"; do set -- $s
        as pg_basebackup -h 127.0.0.1 -p "$4" -D "$dir/dr/$1" -X none -c fast --target-gp-dbid "$3" 2>/dev/null
        as sh -c "cat >> '$dir/dr/$1/postgresql.conf'" <<CONF
# DR copy settings
port = $(($4 + 1000))
archive_mode = off
restore_command = 'cp $arch/$2/%f %p'
CONF
        as touch "$dir/dr/$1/standby.signal"
    done
    local instances="" sep=""
    for s in "${specs[@]}"; do set -- $s
        instances+="$sep      {\"gp_segment_id\": $2, \"host\": \"127.0.0.1\", \"port\": $(($4 + 1000)), \"data_dir\": \"$dir/dr/$1\", \"is_local\": true}"
        sep=$',\n'
    done
    cat > "$dir/dr_sync_config.json" <<JSON
{
  "primary": {"host": "127.0.0.1", "port": $P, "db": "postgres", "user": "$U", "utility_options": "-c gp_role=utility"},
  "storage": {"manifest_dir": "$dir/drsync/manifests", "latest_path": "$dir/drsync/LATEST.json"},
  "archive": {"archive_dir": "$arch", "layout": "%c"},
  "dr": {
    "gp_home": "$GP", "state_dir": "$dir/drsync/state", "receipts_dir": "$dir/drsync/receipts",
    "instances": [
$instances
    ]
  },
  "behavior": {"publisher_sleep_secs": 10, "consumer_sleep_secs": 15, "consumer_reach_poll_secs": 5,
               "consumer_wait_reach_secs": 120, "wal_segment_size_mb": 64}
}
JSON
    echo "cluster up: coordinator 127.0.0.1:$P (user $U), $n segments; DR copies stopped in $dir/dr"
}

down() {
    dir=$(cd "$1" && pwd); GP=$(cat "$dir/.gp_home")
    for d in "$dir"/dr/* "$dir"/data/*; do
        [ -f "$d/postmaster.pid" ] && as pg_ctl -w -D "$d" -m immediate stop >/dev/null 2>&1 || true
    done
}

case "$cmd" in
    up) [ $# -ge 4 ] || { sed -n '2,6p' "$0"; exit 2; }; up "$2" "$3" "$4" "${5:-2}" ;;
    down) [ $# -ge 2 ] || { sed -n '2,6p' "$0"; exit 2; }; down "$2" ;;
    *) sed -n '2,6p' "$0"; exit 2 ;;
esac
