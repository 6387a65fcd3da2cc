#!/usr/bin/env bash
# Re-creates the PostgreSQL 15 server-log samples in this folder (see README.txt). Run as root from the repo root.
set -euo pipefail
BIN=/usr/lib/postgresql/15/bin
OUT=$(pwd)/src/test/resources/serverlog
export LANG=C LC_ALL=C
W=$(mktemp -d /tmp/pg-serverlog-XXXXXX)
chown postgres: "$W"; chmod 755 "$W"
as_pg() { runuser -u postgres -- "$@"; }
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
sql() { as_pg "$BIN/psql" -X -h "$W" -p "$1" -U postgres -d postgres -Atq -v ON_ERROR_STOP=1 -c "$2"; }
STARTED=()
stop_all() { for d in "${STARTED[@]}"; do [ -f "$d/postmaster.pid" ] && as_pg "$BIN/pg_ctl" -D "$d" -m fast -w stop >/dev/null || true; done; }
trap stop_all EXIT
wait_exit() { for _ in $(seq 600); do [ -f "$1/postmaster.pid" ] || return 0; sleep 0.1; done; echo "postmaster of $1 did not stop" >&2; exit 1; }
archived() { # port walfile: waits until the archiver reports it
  for _ in $(seq 300); do [ "$(sql "$1" "SELECT last_archived_wal >= '$2' FROM pg_stat_archiver")" = t ] && return 0; sleep 0.1; done
  echo "$2 not archived" >&2; exit 1
}
# dr_start copy archive-dir target-lsn log: standby copy stopping before target-lsn with the settings of the tool's
# recovery file, resets included (later lines of postgresql.conf override earlier ones: a copy can go on to a newer target)
dr_start() {
  local d=$1 a=$2 t=$3 log=$4 p
  p=$(free_port)
  as_pg touch "$d/standby.signal"
  cat >> "$d/postgresql.conf" <<CONF
port = $p
archive_mode = off
restore_command = 'cp $a/%f %p'
recovery_target = ''
recovery_target_name = ''
recovery_target_time = ''
recovery_target_xid = ''
recovery_target_lsn = '$t'
recovery_target_inclusive = off
recovery_target_timeline = '1'
recovery_target_action = 'shutdown'
CONF
  as_pg "$BIN/pg_ctl" -D "$d" -l "$log" -W start >/dev/null
  STARTED+=("$d")
  # pg_ctl -W returns before the postmaster wrote its pid file: wait for it, or for a stop already logged
  for _ in $(seq 100); do [ -f "$d/postmaster.pid" ] || grep -q 'database system is shut down' "$log" 2>/dev/null && return 0; sleep 0.05; done
}
# Keeps only what the tool's await script greps, with the pid and the time made stable.
evidence() {
  grep -E 'recovery stopping|FATAL|PANIC|ERROR|could not|cannot|No such file|Permission denied|waiting for WAL|consistent recovery state|shutdown at recovery target|database system is shut down|selected new timeline|archive recovery complete' "$1" \
    | sed -E 's/^[0-9-]+ [0-9:.]+ UTC \[[0-9]+\]/2026-11-27 10:00:00.000 UTC [4242]/; s#'"$W"'#/tmp/w#g'
}

P1=$(free_port)
as_pg "$BIN/initdb" -D "$W/primary" -A trust -U postgres --no-sync >/dev/null
as_pg mkdir -p "$W/archive"
cat >> "$W/primary/postgresql.conf" <<CONF
port = $P1
listen_addresses = ''
unix_socket_directories = '$W'
wal_level = replica
archive_mode = on
archive_command = 'cp %p $W/archive/%f'
CONF
as_pg "$BIN/pg_ctl" -D "$W/primary" -l "$W/primary.log" -w start >/dev/null
STARTED+=("$W/primary")
as_pg "$BIN/pg_basebackup" -h "$W" -p "$P1" -U postgres -D "$W/base" -X none -c fast
cp "$W/base/global/pg_control" "$OUT/basebackup-fresh.pg_control"

# A restore point whose record ends exactly on a multiple of blk (a WAL page or segment boundary): filler
# messages bring the insert position to boundary - 104 (a RESTORE_POINT record is 104 bytes; a message record
# with more than 255 bytes of data is 55 bytes plus its text). Retried when other WAL slips in between.
sql "$P1" "CREATE FUNCTION rp_at_boundary(rp text, blk numeric) RETURNS pg_lsn LANGUAGE plpgsql AS \$\$
DECLARE pos numeric; b numeric; l numeric; r pg_lsn;
BEGIN
  FOR i IN 1..200 LOOP
    pos := pg_current_wal_insert_lsn() - '0/0'::pg_lsn;
    b := pos - mod(pos, blk) + blk;
    l := b - 104 - pos;
    IF l > 8000 THEN PERFORM pg_logical_emit_message(false, 'p', repeat('x', least(l - 8000, 4000000)::int)); CONTINUE; END IF;
    IF l < 312 OR div(pos, 8192) <> div(b - 105, 8192) THEN PERFORM pg_logical_emit_message(false, 'p', repeat('x', 400)); CONTINUE; END IF;
    PERFORM pg_logical_emit_message(false, 'p', repeat('x', (l - 55)::int));
    r := pg_create_restore_point(rp);
    IF mod(r - '0/0'::pg_lsn, blk) = 0 THEN RETURN r; END IF;
  END LOOP;
  RAISE EXCEPTION 'no restore point on a % byte boundary after 200 tries', blk;
END \$\$"

# rp1, one commit after it, a switch
sql "$P1" "CHECKPOINT; CREATE TABLE t(i int); INSERT INTO t VALUES (1)"
RP1=$(sql "$P1" "SELECT pg_create_restore_point('rp1')")
SW=$(sql "$P1" "INSERT INTO t VALUES (2); SELECT pg_walfile_name(pg_switch_wal())")
archived "$P1" "$SW"

# parked.log: the base-backup copy stops exactly before rp1's next record
as_pg cp -a "$W/base" "$W/parked"
dr_start "$W/parked" "$W/archive" "$RP1" "$W/parked.log"
wait_exit "$W/parked"
evidence "$W/parked.log" > "$OUT/parked.log"
echo "$RP1" > "$OUT/parked.lsn"
as_pg "$BIN/pg_controldata" "$W/parked" > "$OUT/parked.controldata"

# rp2 three segments later; waiting-for-wal.log: the archive copy lacks the first segment after rp1's
sql "$P1" "CHECKPOINT; INSERT INTO t SELECT generate_series(1, 1000000)"
RP2=$(sql "$P1" "SELECT pg_create_restore_point('rp2')")
SW=$(sql "$P1" "SELECT pg_walfile_name(pg_switch_wal())")
archived "$P1" "$SW"
as_pg mkdir "$W/archive-gap"
as_pg sh -c "cp $W/archive/* $W/archive-gap/"
GAP=$(sql "$P1" "SELECT pg_walfile_name('$RP1'::pg_lsn + 16777216)")
rm "$W/archive-gap/$GAP"
as_pg cp -a "$W/parked" "$W/stuck"
dr_start "$W/stuck" "$W/archive-gap" "$RP2" "$W/stuck.log"
sleep 7
as_pg "$BIN/pg_ctl" -D "$W/stuck" -m fast -w stop >/dev/null
evidence "$W/stuck.log" > "$OUT/waiting-for-wal.log"
echo "$GAP" > "$OUT/waiting-for-wal.missing"
as_pg "$BIN/pg_controldata" "$W/stuck" > "$OUT/waiting-for-wal.controldata"

# page-boundary.log, segment-boundary.log: restore points ending on a WAL page / segment boundary; the next
# record starts after that page's header, and the stop line names the next record, not the restore point
RP3=$(sql "$P1" "SELECT rp_at_boundary('rp3', 8192)")
sql "$P1" "INSERT INTO t VALUES (3)"
RP4=$(sql "$P1" "SELECT rp_at_boundary('rp4', 16777216)")
SW=$(sql "$P1" "INSERT INTO t VALUES (4); SELECT pg_walfile_name(pg_switch_wal())")
archived "$P1" "$SW"
dr_start "$W/parked" "$W/archive" "$RP3" "$W/page.log"
wait_exit "$W/parked"
evidence "$W/page.log" > "$OUT/page-boundary.log"
echo "$RP3" > "$OUT/page-boundary.lsn"
as_pg "$BIN/pg_controldata" "$W/parked" > "$OUT/page-boundary.controldata"
dr_start "$W/parked" "$W/archive" "$RP4" "$W/segment.log"
wait_exit "$W/parked"
evidence "$W/segment.log" > "$OUT/segment-boundary.log"
echo "$RP4" > "$OUT/segment-boundary.lsn"
as_pg "$BIN/pg_controldata" "$W/parked" > "$OUT/segment-boundary.controldata"
cp "$W/parked/global/pg_control" "$OUT/shut-down-in-recovery.pg_control"

# unfinished-backup.controldata: a copy whose replay never reached its backup's end (the segment holding it is
# missing from its archive), stopped with pg_ctl stop -m fast; a low-level backup with WAL written during it
as_pg "$BIN/psql" -X -h "$W" -p "$P1" -U postgres -d postgres -Atq -v ON_ERROR_STOP=1 >/dev/null <<SQL
SELECT pg_backup_start('unfinished', true) \\gset
\\! cp -a $W/primary $W/unfinished
INSERT INTO t SELECT generate_series(1, 1000000);
SELECT lsn AS stop_lsn, labelfile FROM pg_backup_stop(false) \\gset
\\o $W/unfinished.label
SELECT :'labelfile';
\\o $W/unfinished.end
SELECT :'stop_lsn';
SQL
cp "$W/unfinished.end" "$OUT/unfinished-backup.backup_end"
STOP=$(sql "$P1" "SELECT pg_walfile_name('$(cat "$W/unfinished.end")')")
SW=$(sql "$P1" "SELECT pg_walfile_name(pg_switch_wal())")
archived "$P1" "$SW"
rm -rf "$W/unfinished/postmaster.pid" "$W/unfinished/pg_wal"/0* "$W/unfinished/pg_wal/archive_status"/*
head -c -1 "$W/unfinished.label" > "$W/unfinished/backup_label"
chown postgres: "$W/unfinished/backup_label"
as_pg mkdir "$W/archive-unfinished"
as_pg sh -c "cp $W/archive/* $W/archive-unfinished/"
rm "$W/archive-unfinished/$STOP"
dr_start "$W/unfinished" "$W/archive-unfinished" "1/0" "$W/unfinished.log"
sleep 7
as_pg "$BIN/pg_ctl" -D "$W/unfinished" -m fast -w stop >/dev/null
evidence "$W/unfinished.log" > "$OUT/unfinished-backup.log"
as_pg "$BIN/pg_controldata" "$W/unfinished" > "$OUT/unfinished-backup.controldata"

# behind-consistent-point.log: a base backup taken after rp2, sent back to rp1
as_pg "$BIN/pg_basebackup" -h "$W" -p "$P1" -U postgres -D "$W/late" -X none -c fast
grep -o '"End-LSN": "[0-9A-F/]*"' "$W/late/backup_manifest" | sed 's/.*: "//; s/"//' > "$OUT/behind-consistent-point.backup_end"
sql "$P1" "SELECT pg_switch_wal()" >/dev/null
sleep 1
dr_start "$W/late" "$W/archive" "$RP1" "$W/late.log"
wait_exit "$W/late"
evidence "$W/late.log" > "$OUT/behind-consistent-point.log"
as_pg "$BIN/pg_controldata" "$W/late" > "$OUT/behind-consistent-point.controldata"
rm -rf "$W"
