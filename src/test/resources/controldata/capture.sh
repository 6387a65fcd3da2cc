#!/usr/bin/env bash
# Re-creates the PostgreSQL 15 samples under src/test/resources (see README.txt). Run as root from the repo root.
set -euo pipefail
BIN=/usr/lib/postgresql/15/bin
RES=$(pwd)/src/test/resources
export LANG=C LC_ALL=C
W=$(mktemp -d /tmp/pg-samples-XXXXXX)
chown postgres: "$W"; chmod 755 "$W"
as_pg() { runuser -u postgres -- "$@"; }
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
sql() { as_pg "$BIN/psql" -X -h "$W" -p "$1" -U postgres -d postgres -Atq -v ON_ERROR_STOP=1 -c "$2"; }
STARTED=()
stop_all() { for d in "${STARTED[@]}"; do [ -f "$d/postmaster.pid" ] && as_pg "$BIN/pg_ctl" -D "$d" -m fast -w stop >/dev/null || true; done; }
trap stop_all EXIT
# Waits (bounded) until the postmaster of $1 has exited by itself.
wait_exit() { for _ in $(seq 600); do [ -f "$1/postmaster.pid" ] || return 0; sleep 0.1; done; echo "postmaster of $1 did not stop" >&2; exit 1; }
new_primary() { # dir port initdb-args...
  local d=$1 p=$2; shift 2
  as_pg "$BIN/initdb" -D "$d" -A trust -U postgres --no-sync "$@" >/dev/null
  as_pg mkdir -p "$W/archive-$(basename "$d")"
  cat >> "$d/postgresql.conf" <<CONF
port = $p
listen_addresses = ''
unix_socket_directories = '$W'
wal_level = replica
archive_mode = on
archive_command = 'cp %p $W/archive-$(basename "$d")/%f'
CONF
  as_pg "$BIN/pg_ctl" -D "$d" -l "$d.log" -w start >/dev/null
  STARTED+=("$d")
}
# LSNs around segment boundaries for segment size $1, plus fixed edge values.
lsns() {
  local s=$1 per=$(( 0x100000000 / $1 )) k b
  echo 0/1; echo 0/FF
  for k in 1 2 3 $((per - 1)) $per $((per + 1)) $((2 * per)) $((255 * per + 7)); do
    b=$(( k * s ))
    for x in $((b - 1)) $b $((b + 1)); do printf '%X/%X\n' $((x >> 32)) $((x & 0xFFFFFFFF)); done
  done
  printf '%s\n' 0/FFFFFFFF 1/0 1/1 FF/FFFFFFFF 100/0 10/0 0/49FD4F8 0/3016120 9/E40000C8 12345678/9ABCDEF0 \
    7FFFFFFF/FFFFFFFF 80000000/0 80000000/1 FFFFFFFF/FF000000 FFFFFFFF/FFFFFFFF
}
walfile_csv() { # port segsize
  local values
  values=$(lsns "$2" | awk '!seen[$0]++' | sed "s/.*/('&'::pg_lsn)/" | paste -sd,)
  sql "$1" "SELECT $2 || ',' || l::text || ',' || pg_walfile_name(l) FROM (VALUES $values) v(l)"
}

# 16 MB primary, running
P1=$(free_port)
new_primary "$W/primary" "$P1"
as_pg "$BIN/pg_controldata" "$W/primary" > "$RES/controldata/primary-running.txt"
{ echo "segment_size,lsn,walfile"; walfile_csv "$P1" 16777216; } > "$RES/walfile/pg_walfile_name.csv"
echo "pg_walfile_name('0/0') with 16 MB: $(sql "$P1" "SELECT pg_walfile_name('0/0')")"

# DR copy by pg_basebackup -X none: in production + backup_label
as_pg "$BIN/pg_basebackup" -h "$W" -p "$P1" -U postgres -D "$W/dr" -X none -c fast
as_pg "$BIN/pg_controldata" "$W/dr" > "$RES/controldata/basebackup-fresh.txt"
cp "$W/dr/backup_label" "$RES/backup/backup_label"
cp "$W/dr/backup_manifest" "$RES/backup/backup_manifest"
cp "$W"/archive-primary/*.backup "$RES/backup/"

# Restore point, one commit after it, WAL switch; park the DR copy exactly at the point
sql "$P1" "CHECKPOINT; CREATE TABLE t(i int); INSERT INTO t VALUES (1)"
RP=$(sql "$P1" "SELECT pg_create_restore_point('rp1')")
SW=$(sql "$P1" "INSERT INTO t VALUES (2); SELECT pg_walfile_name(pg_switch_wal())")
for _ in $(seq 300); do [ "$(sql "$P1" "SELECT last_archived_wal >= '$SW' FROM pg_stat_archiver")" = t ] && break; sleep 0.1; done
P2=$(free_port)
as_pg touch "$W/dr/standby.signal"
cat >> "$W/dr/postgresql.conf" <<CONF
port = $P2
archive_mode = off
restore_command = 'cp $W/archive-primary/%f %p'
recovery_target_lsn = '$RP'
recovery_target_inclusive = off
recovery_target_action = 'shutdown'
CONF
as_pg "$BIN/pg_ctl" -D "$W/dr" -l "$W/dr.log" -w start >/dev/null || true
wait_exit "$W/dr"
as_pg "$BIN/pg_controldata" "$W/dr" > "$RES/controldata/shut-down-in-recovery.txt"
grep -q "Minimum recovery ending location: *$RP\$" "$RES/controldata/shut-down-in-recovery.txt"
echo "restore point rp1 at $RP; DR log: $(grep -o 'recovery stopping before.*' "$W/dr.log")"

# Clean shutdown of the primary
as_pg "$BIN/pg_ctl" -D "$W/primary" -m fast -w stop >/dev/null
as_pg "$BIN/pg_controldata" "$W/primary" > "$RES/controldata/primary-shut-down.txt"

# Real timeline history files: promote a copy of the parked DR (TL 2), then archive-recover a copy of that (TL 3)
as_pg cp -a "$W/dr" "$W/tl2"
as_pg rm "$W/tl2/standby.signal"
as_pg touch "$W/tl2/recovery.signal"
printf "port = %s\nrecovery_target_lsn = ''\nrecovery_target_action = 'pause'\n" "$(free_port)" >> "$W/tl2/postgresql.conf"
as_pg "$BIN/pg_ctl" -D "$W/tl2" -l "$W/tl2.log" -w start >/dev/null
STARTED+=("$W/tl2")
for _ in $(seq 300); do [ -f "$W/tl2/pg_wal/00000002.history" ] && break; sleep 0.1; done
as_pg "$BIN/pg_ctl" -D "$W/tl2" -m fast -w stop >/dev/null
as_pg cp -a "$W/tl2" "$W/tl3"
as_pg touch "$W/tl3/recovery.signal"
printf "port = %s\nrestore_command = 'cp $W/tl2/pg_wal/%%f %%p'\n" "$(free_port)" >> "$W/tl3/postgresql.conf"
as_pg "$BIN/pg_ctl" -D "$W/tl3" -l "$W/tl3.log" -w start >/dev/null
STARTED+=("$W/tl3")
for _ in $(seq 300); do [ -f "$W/tl3/pg_wal/00000003.history" ] && break; sleep 0.1; done
as_pg "$BIN/pg_ctl" -D "$W/tl3" -m fast -w stop >/dev/null
cp "$W/tl2/pg_wal/00000002.history" "$W/tl3/pg_wal/00000003.history" "$RES/timeline/"

# 64 MB primary: walfile names while running, controldata after a clean shutdown
P4=$(free_port)
new_primary "$W/primary64" "$P4" --wal-segsize=64
walfile_csv "$P4" 67108864 >> "$RES/walfile/pg_walfile_name.csv"
echo "pg_walfile_name('0/0') with 64 MB: $(sql "$P4" "SELECT pg_walfile_name('0/0')")"
as_pg "$BIN/pg_ctl" -D "$W/primary64" -m fast -w stop >/dev/null
as_pg "$BIN/pg_controldata" "$W/primary64" > "$RES/controldata/primary-64mb-shut-down.txt"

rm -rf "$W"
