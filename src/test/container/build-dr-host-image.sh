#!/usr/bin/env bash
# Builds the DR-host test image localhost/whpg-dr-host:pg15 (Debian bookworm minbase + PostgreSQL 15 +
# OpenSSH server) from Debian packages with debootstrap, and imports it into podman or docker.
# Nothing is pulled from a registry. Skips the build when the image exists with the same recipe
# (a label hashing this script, the entrypoint and the sshd settings); --force rebuilds anyway.
#
# Usage: build-dr-host-image.sh [--force]
# Env:   CONTAINER_ENGINE=podman|docker (default: podman if installed, else docker)
#        DR_HOST_MIRROR=URL              (default: the bookworm mirror apt is configured with)
set -euo pipefail

readonly IMAGE=localhost/whpg-dr-host:pg15
readonly SUITE=bookworm
readonly PACKAGES=postgresql-15,openssh-server,procps
readonly RECIPE_LABEL=io.whpg.dr-host.recipe
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)

die() { echo "build-dr-host-image: $*" >&2; exit 1; }
say() { echo "build-dr-host-image: $*" >&2; }
# debootstrap, chroot and reading the root filesystem need root; a laptop user goes through sudo.
as_root() { if ((EUID == 0)); then "$@"; else sudo "$@"; fi; }

force=false
case "${1:-}" in
    "") ;;
    --force) force=true ;;
    *) die "unknown argument '$1' (expected --force or nothing)" ;;
esac

engine=${CONTAINER_ENGINE:-}
if [[ -z $engine ]]; then
    if command -v podman > /dev/null; then engine=podman
    elif command -v docker > /dev/null; then engine=docker
    else die "neither podman nor docker is installed"
    fi
fi
[[ $engine == podman || $engine == docker ]] || die "CONTAINER_ENGINE='$engine' is not podman or docker"

recipe=$(cat "${BASH_SOURCE[0]}" "$here/dr-host/entrypoint.sh" "$here/dr-host/sshd-dr-host.conf" | sha256sum | cut -c1-16)
old_id=$("$engine" image inspect --format '{{.Id}}' "$IMAGE" 2> /dev/null || true)
if [[ -n $old_id ]] && ! $force; then
    have=$("$engine" image inspect --format "{{ index .Config.Labels \"$RECIPE_LABEL\" }}" "$IMAGE")
    if [[ $have == "$recipe" ]]; then
        say "$IMAGE is up to date (recipe $recipe), nothing to build"
        exit 0
    fi
    say "$IMAGE has recipe '$have', this script makes $recipe: rebuilding"
fi

# The bookworm mirror apt already uses: one-line sources.list entries, then deb822 .sources files.
apt_mirror() {
    local f
    for f in /etc/apt/sources.list /etc/apt/sources.list.d/*.list; do
        [[ -r $f ]] || continue
        awk -v suite="$SUITE" '$1 == "deb" {
            i = 2
            if ($i ~ /^\[/) { while ($i !~ /\]$/) i++; i++ }
            if ($(i + 1) == suite) { print $i; exit }
        }' "$f"
    done
    for f in /etc/apt/sources.list.d/*.sources; do
        [[ -r $f ]] || continue
        awk -v suite="$SUITE" 'BEGIN { RS = ""; FS = "\n" }
        {
            types = ""; uris = ""; suites = ""; enabled = "yes"
            for (n = 1; n <= NF; n++) {
                if ($n ~ /^#/) continue
                split($n, kv, ":[ \t]*")
                key = tolower(kv[1]); value = substr($n, index($n, ":") + 1)
                if (key == "types") types = value
                else if (key == "uris") uris = value
                else if (key == "suites") suites = value
                else if (key == "enabled") enabled = value
            }
            if (types !~ /(^|[ \t])deb([ \t]|$)/ || enabled ~ /no/) next
            if ((" " suites " ") ~ ("[ \t]" suite "[ \t]")) { split(uris, u, /[ \t]+/); for (k in u) if (u[k] != "") { print u[k]; exit } }
        }' "$f"
    done
}

mirror=${DR_HOST_MIRROR:-$(apt_mirror | head -n 1)}
if [[ -z $mirror ]]; then
    mirror=http://deb.debian.org/debian
    say "apt has no $SUITE mirror configured; using $mirror (set DR_HOST_MIRROR to choose)"
fi
command -v debootstrap > /dev/null || die "debootstrap is not installed (apt-get install debootstrap)"

start=$(date +%s)
work=$(mktemp -d /var/tmp/whpg-dr-host.XXXXXX)
rootfs=$work/rootfs
cleanup() {
    # debootstrap mounts proc/sys inside the root filesystem; a failed run can leave them behind.
    local m
    for m in $(awk -v r="$rootfs/" 'index($2, r) == 1 { print $2 }' /proc/mounts | sort -r); do
        as_root umount -l "$m" || true
    done
    as_root rm -rf --one-file-system "$work"
}
trap cleanup EXIT

say "debootstrap $SUITE from $mirror (packages $PACKAGES)"
as_root debootstrap --variant=minbase --include="$PACKAGES" "$SUITE" "$rootfs" "$mirror" > "$work/debootstrap.log" 2>&1 \
    || { tail -n 20 "$work/debootstrap.log" >&2; die "debootstrap failed (log above)"; }

# Host keys from the package's postinst would be shared by every container: the entrypoint makes fresh ones.
as_root rm -f "$rootfs"/etc/ssh/ssh_host_*
# The package's default cluster is not a DR copy; tests create their own data directories.
as_root rm -rf "$rootfs/etc/postgresql/15/main" "$rootfs/var/lib/postgresql/15/main"
# A locked password ('!') is refused by sshd with UsePAM no; '*' allows key login only.
as_root chroot "$rootfs" usermod -p '*' postgres
as_root install -m 644 "$here/dr-host/sshd-dr-host.conf" "$rootfs/etc/ssh/sshd_config.d/dr-host.conf"
as_root install -m 755 "$here/dr-host/entrypoint.sh" "$rootfs/usr/local/sbin/dr-host-entrypoint"
as_root sh -c "cd '$rootfs' && rm -rf usr/share/doc/* usr/share/man/* usr/share/info/* usr/share/locale/* \
    usr/share/postgresql/15/man var/cache/apt/archives/*.deb var/cache/apt/*.bin var/lib/apt/lists/* \
    var/log/*.log var/log/apt/*"

say "importing into $engine as $IMAGE"
as_root tar -C "$rootfs" --numeric-owner -c . | "$engine" import \
    --change 'ENTRYPOINT ["/usr/local/sbin/dr-host-entrypoint"]' \
    --change 'EXPOSE 22' \
    --change 'ENV LANG=C.UTF-8' \
    --change 'ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin' \
    --change "LABEL $RECIPE_LABEL=$recipe" \
    - "$IMAGE" > "$work/import.log" 2>&1 \
    || { tail -n 20 "$work/import.log" >&2; die "$engine import failed (log above)"; }
if [[ -n $old_id ]]; then
    "$engine" rmi "$old_id" > /dev/null 2>&1 || true
fi
size=$("$engine" image inspect --format '{{.Size}}' "$IMAGE")
say "built $IMAGE (recipe $recipe, $((size / 1024 / 1024)) MB) in $(($(date +%s) - start)) s"
