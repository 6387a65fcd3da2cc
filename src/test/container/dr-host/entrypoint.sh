#!/bin/sh
# DR-host container entrypoint: postgres's ids, per-container host keys, the postgres user's authorized keys,
# then sshd as PID 1. It runs again at every start of the same container, so each step is idempotent.
set -eu

# The highest id below 1000 that no account (passwd) or group (group) holds.
free_id() {
    id=999
    while getent "$1" "$id" > /dev/null; do id=$((id - 1)); done
    echo "$id"
}

# A WAL archive shared with the primary's hosts (NFS, or a bind mount in tests) holds files only the
# primary's postgres may read (mode 0600): a DR host must then run postgres with the same uid and gid,
# as a site sharing its archive must. POSTGRES_UID/POSTGRES_GID ask for them; whoever held them moves.
remapped=false
if [ -n "${POSTGRES_GID:-}" ] && [ "$(id -g postgres)" != "$POSTGRES_GID" ]; then
    holder=$(getent group "$POSTGRES_GID" | cut -d: -f1)
    [ -z "$holder" ] || groupmod -g "$(free_id group)" "$holder"
    groupmod -g "$POSTGRES_GID" postgres
    remapped=true
fi
if [ -n "${POSTGRES_UID:-}" ] && [ "$(id -u postgres)" != "$POSTGRES_UID" ]; then
    holder=$(getent passwd "$POSTGRES_UID" | cut -d: -f1)
    [ -z "$holder" ] || usermod -u "$(free_id passwd)" "$holder"
    usermod -u "$POSTGRES_UID" postgres
    remapped=true
fi
if $remapped; then
    chown -R postgres:postgres /var/lib/postgresql /etc/postgresql /run/postgresql
    chgrp postgres /var/log/postgresql
fi

# Host keys are made here, not in the image, so every container has its own identity (kept across restarts).
ssh-keygen -A

home=$(getent passwd postgres | cut -d: -f6)
install -d -m 700 -o postgres -g postgres "$home/.ssh"
keys="$home/.ssh/authorized_keys"
: > "$keys"
if [ -n "${SSH_AUTHORIZED_KEYS:-}" ]; then
    printf '%s\n' "$SSH_AUTHORIZED_KEYS" >> "$keys"
fi
chown postgres:postgres "$keys"
chmod 600 "$keys"

mkdir -p /run/sshd /run/postgresql
chown postgres:postgres /run/postgresql
# -e: log to stderr, so the container log says "Server listening on ..." when it is ready.
exec /usr/sbin/sshd -D -e
