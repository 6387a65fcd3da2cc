# shellcheck shell=bash
# Container engine for the DR-host suite on a machine without Docker: rootful podman serving the
# Docker API, set up as FACTS.md "Testcontainers on this machine" measured.
#
#   source src/test/container/podman-env.sh
#   podman_env_start        # installs podman runc debootstrap if missing, starts the API service,
#                           # exports DOCKER_HOST, TESTCONTAINERS_*, CONTAINERS_CONF
#   trap podman_env_stop EXIT
#   ...
#   podman_env_stop         # removes the containers created through it, stops the service by pid, removes its dir
#
# Sourced, so both functions return instead of exiting; both are safe under the caller's set -euo pipefail.

podman_env_start() {
    local missing=() pkg
    for pkg in podman runc debootstrap; do
        [[ $(dpkg-query -W -f='${Status}' "$pkg" 2> /dev/null) == *"ok installed" ]] || missing+=("$pkg")
    done
    if ((${#missing[@]})); then
        echo "podman-env: installing ${missing[*]}" >&2
        { apt-get update -q && DEBIAN_FRONTEND=noninteractive apt-get install -y -q "${missing[@]}"; } >&2 \
            || { echo "podman-env: cannot install ${missing[*]}" >&2; return 1; }
    fi

    PODMAN_ENV_DIR=$(mktemp -d /tmp/whpg-podman.XXXXXX) || return 1
    export PODMAN_ENV_DIR

    # Root cannot raise hard limits on these VMs, so containers must ask for exactly the current ones.
    local nofile nproc pid_max
    nofile=$(ulimit -Hn)
    nproc=$(ulimit -Hu)
    pid_max=$(cat /proc/sys/kernel/pid_max)
    if [[ $nproc == unlimited ]] || ((nproc > pid_max)); then nproc=$pid_max; fi
    [[ $nofile == unlimited ]] && nofile=1048576
    cat > "$PODMAN_ENV_DIR/containers.conf" <<CONF
[containers]
default_ulimits = ["nofile=$nofile:$nofile", "nproc=$nproc:$nproc"]

[engine]
# crun 1.8 fails here with "cgroups in hybrid mode not supported".
runtime = "runc"
cgroup_manager = "cgroupfs"
events_logger = "file"
# Our own event log names every container created through this environment, so podman_env_stop removes
# those alone: another environment (a concurrent CI run) shares rootful podman's storage.
events_logfile_path = "$PODMAN_ENV_DIR/events.log"
events_logfile_max_size = "100m"
# An exec session's conmon waits this long before cleanup (Docker keeps exec results 300 s);
# Testcontainers reads the exit code at once, so a short wait keeps the process table small.
exit_command_delay = 5
CONF
    export CONTAINERS_CONF="$PODMAN_ENV_DIR/containers.conf"

    local sock="$PODMAN_ENV_DIR/podman.sock"
    podman system service --time=0 "unix://$sock" > "$PODMAN_ENV_DIR/service.log" 2>&1 &
    PODMAN_ENV_PID=$!
    export PODMAN_ENV_PID
    local deadline=$((SECONDS + 15))
    until podman --url "unix://$sock" version > /dev/null 2>&1; do
        if ! kill -0 "$PODMAN_ENV_PID" 2> /dev/null; then
            echo "podman-env: podman system service exited: $(tail -n 1 "$PODMAN_ENV_DIR/service.log")" >&2
            return 1
        fi
        if ((SECONDS >= deadline)); then
            echo "podman-env: podman system service did not answer on $sock within 15 s" >&2
            return 1
        fi
        sleep 0.2
    done

    export DOCKER_HOST="unix://$sock"
    # Ryuk needs an image from a registry; podman_env_stop does its cleanup instead.
    export TESTCONTAINERS_RYUK_DISABLED=true
    # This host has /.dockerenv: without the override Testcontainers dials the bridge gateway.
    export TESTCONTAINERS_HOST_OVERRIDE=localhost
    # Its start-up checks (e.g. "can a file be bind-mounted?") run a helper image pulled from a registry,
    # which cannot be reached here: they fail with a misleading warning. The suite checks what it uses.
    export TESTCONTAINERS_CHECKS_DISABLE=true
    echo "podman-env: podman $(podman version -f '{{.Client.Version}}') serving the Docker API on $DOCKER_HOST (pid $PODMAN_ENV_PID)" >&2
}

# conmon processes our service started: they carry its CONTAINERS_CONF in their environment.
_podman_env_conmons() {
    local pid
    for pid in $(pgrep -x conmon); do
        tr '\0' '\n' 2> /dev/null < "/proc/$pid/environ" | grep -xF "CONTAINERS_CONF=${CONTAINERS_CONF:-}" > /dev/null \
            && echo "$pid"
    done
    return 0
}

podman_env_stop() {
    [[ -n ${PODMAN_ENV_DIR:-} ]] || return 0
    local ids
    ids=$(podman events --stream=false --filter event=create --format '{{.ID}}' 2> /dev/null | sort -u)
    if [[ -n $ids ]]; then
        # shellcheck disable=SC2086
        podman rm --ignore -f -t 0 $ids > /dev/null 2>&1 || echo "podman-env: podman rm of $(wc -w <<< "$ids") containers failed" >&2
    fi
    podman network prune -f > /dev/null 2>&1 || true
    # An exec session's conmon outlives its container by exit_command_delay: end what is left by pid,
    # and wait until init has reaped them, so no conmon shows in ps afterwards.
    local conmons pid j
    conmons=$(_podman_env_conmons)
    if [[ -n $conmons ]]; then
        # shellcheck disable=SC2086
        kill $conmons 2> /dev/null || true
        for ((j = 0; j < 50; j++)); do
            for pid in $conmons; do [[ -e /proc/$pid ]] && break; done
            [[ -e /proc/$pid ]] || break
            sleep 0.1
        done
    fi
    if [[ -n ${PODMAN_ENV_PID:-} ]] && kill -0 "$PODMAN_ENV_PID" 2>/dev/null; then
        kill "$PODMAN_ENV_PID" 2> /dev/null || true
        local i
        for ((i = 0; i < 50; i++)); do
            kill -0 "$PODMAN_ENV_PID" 2>/dev/null || break
            sleep 0.1
        done
        if kill -0 "$PODMAN_ENV_PID" 2> /dev/null; then kill -9 "$PODMAN_ENV_PID" 2> /dev/null || true; fi
        wait "$PODMAN_ENV_PID" 2> /dev/null || true
    fi
    rm -rf "$PODMAN_ENV_DIR"
    unset PODMAN_ENV_DIR PODMAN_ENV_PID DOCKER_HOST TESTCONTAINERS_RYUK_DISABLED TESTCONTAINERS_HOST_OVERRIDE \
        TESTCONTAINERS_CHECKS_DISABLE CONTAINERS_CONF
    return 0
}
