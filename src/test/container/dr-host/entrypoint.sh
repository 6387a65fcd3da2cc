#!/bin/sh
# DR-host container entrypoint: per-container host keys, the postgres user's authorized keys, then sshd as PID 1.
set -eu

# Host keys are made here, not in the image, so every container has its own identity.
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
