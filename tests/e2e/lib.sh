# SPDX-License-Identifier: LGPL-2.1-or-later
# tests/e2e/lib.sh: bring up and tear down several real libvirt "hosts" on
# one machine for tscgate's end-to-end tests.  Sourced by tests/e2e/run.sh
# (bash, set -euo pipefail).
#
# One host = a network namespace (kept alive by `unshare --net=FILE` on a
# bind-mounted file) + a mount and UTS namespace (same way, private mount
# propagation), joined to the other hosts by a veth pair whose addresses
# (192.0.2.0/24, TEST-NET-1) exist only inside those namespaces.  Inside each
# host's mount namespace private directories are bound over /etc/libvirt,
# /run, /var/lib, /var/cache, /var/log, /etc/hosts and over the staged
# tscgate configuration directory, so nothing on the real machine is
# touched and every host has its own libvirtd, hooks and tscgate config.
# The shape (per-host libvirtd.conf and qemu.conf, distinct host_uuid,
# hooks installed before the daemon starts) is described in README.md here.
#
# Every process started here lives in one of our network namespaces;
# teardown ends exactly those processes by PID (matched on the namespace
# inode), unmounts the namespace files and removes the temporary tree.  It
# is installed as an EXIT trap and also runs on INT/TERM/HUP.

E2E_PATH=/usr/sbin:/usr/bin:/sbin:/bin
E2E_TMP=
E2E_NS=
E2E_HOSTS=()
declare -A E2E_ADDR=()
E2E_TORN_DOWN=0

e2e_log() { printf '%s\n' "$*" >&2; }

# e2e_init: create the temporary tree and install the teardown traps.
e2e_init() {
    umask 022
    local base=${TMPDIR:-/tmp}
    # The tree must stay visible after the per-host binds over these.
    case $base/ in
        /run/* | /var/run/* | /var/lib/* | /var/cache/* | /var/log/* | /etc/*) base=/tmp ;;
    esac
    E2E_TMP=$(mktemp -d "$base/tscgate-e2e.XXXXXX")
    chmod 755 "$E2E_TMP"
    trap e2e_teardown EXIT
    trap 'e2e_log "e2e: interrupted"; exit 130' INT
    trap 'e2e_log "e2e: terminated"; exit 143' TERM HUP
    E2E_NS=$E2E_TMP/ns
    mkdir "$E2E_NS"
    # Namespace files must live on a private mount, or binding an nsfs
    # onto them fails (and a mount namespace could pin itself).
    mount --bind "$E2E_NS" "$E2E_NS"
    mount --make-private "$E2E_NS"
}

e2e_hostdir() { printf '%s/hosts/%s' "$E2E_TMP" "$1"; }
e2e_sock() { printf '%s/run/libvirt/libvirt-sock' "$(e2e_hostdir "$1")"; }
e2e_uri() { printf 'qemu+unix:///system?socket=%s' "$(e2e_sock "$1")"; }

# e2e_in HOST CMD...: run CMD inside HOST's namespaces with a clean
# environment (as libvirt's own children would see the host).
e2e_in() {
    local h=$1; shift
    nsenter --net="$E2E_NS/$h.net" --mount="$E2E_NS/$h.mnt" --uts="$E2E_NS/$h.uts" \
        -- env -i PATH="$E2E_PATH" LC_ALL=C "$@"
}

# vsh HOST ARGS...: virsh against HOST's daemon, from outside.
vsh() {
    local h=$1; shift
    # A hung daemon must not hang the test suite: 60 s is 30x a migration here.
    timeout --foreground -k 5 60 \
        env -i PATH="$E2E_PATH" LC_ALL=C HOME="$E2E_TMP" virsh -q -c "$(e2e_uri "$h")" "$@"
}

# e2e_host_create NAME ADDR STAGE_CONFDIR: namespaces, private directories,
# libvirtd.conf/qemu.conf, and the bind mounts inside the host.
# STAGE_CONFDIR is the staged tscgate configuration directory (compiled
# into the staged build); each host gets its own directory bound over it.
e2e_host_create() {
    local h=$1 addr=$2 confdir=$3 hd
    hd=$(e2e_hostdir "$h")
    mkdir -p "$hd"/etc-libvirt/hooks/qemu.d "$hd"/run/libvirt "$hd"/var-lib "$hd"/var-cache \
        "$hd"/var-log/libvirt "$hd"/var-log/tscgate "$hd"/tscgate-etc
    E2E_ADDR[$h]=$addr
    E2E_HOSTS+=("$h")

    cat >"$hd/etc-libvirt/libvirtd.conf" <<EOF
# tscgate e2e host $h
host_uuid = "$(cat /proc/sys/kernel/random/uuid)"
listen_tls = 0
listen_tcp = 1
listen_addr = "$addr"
auth_tcp = "none"
auth_unix_rw = "none"
auth_unix_ro = "none"
log_outputs = "3:file:/var/log/libvirt/libvirtd.log"
EOF
    cat >"$hd/etc-libvirt/qemu.conf" <<EOF
# tscgate e2e host $h
user = "root"
group = "root"
dynamic_ownership = 0
remember_owner = 0
security_driver = "none"
stdio_handler = "file"
cgroup_controllers = [ ]
namespaces = [ ]
migration_host = "$addr"
migration_address = "$addr"
EOF
    cp /etc/libvirt/libvirt.conf "$hd/etc-libvirt/" 2>/dev/null || :
    printf '127.0.0.1\tlocalhost\n%s\t%s\n' "$addr" "$h" >"$hd/hosts"

    touch "$E2E_NS/$h.net" "$E2E_NS/$h.mnt" "$E2E_NS/$h.uts"
    unshare --net="$E2E_NS/$h.net" --mount="$E2E_NS/$h.mnt" --uts="$E2E_NS/$h.uts" \
        --propagation private true
    e2e_in "$h" sh -eu -c '
        hd=$1 h=$2 confdir=$3
        hostname "$h"
        ip link set lo up
        mount --bind "$hd/etc-libvirt" /etc/libvirt
        mount --bind "$hd/run" /run
        mount --bind "$hd/var-lib" /var/lib
        mount --bind "$hd/var-cache" /var/cache
        mount --bind "$hd/var-log" /var/log
        mount --bind "$hd/tscgate-etc" "$confdir"
        mount --bind "$hd/hosts" /etc/hosts
    ' sh "$hd" "$h" "$confdir"
}

# e2e_write_etc_hosts: every host's private /etc/hosts names all hosts
# (rewritten in place: the file is bind-mounted).  Call after all hosts are
# created and before daemons start.
e2e_write_etc_hosts() {
    local h o
    for h in "${E2E_HOSTS[@]}"; do
        {
            printf '127.0.0.1\tlocalhost\n'
            for o in "${E2E_HOSTS[@]}"; do printf '%s\t%s\n' "${E2E_ADDR[$o]}" "$o"; done
        } >"$(e2e_hostdir "$h")/hosts"
    done
}

# e2e_link A B: a veth pair between hosts A and B, each end addressed
# inside its own namespace only.
e2e_link() {
    local a=$1 b=$2
    nsenter --net="$E2E_NS/$a.net" ip link add "to-$b" type veth peer name "to-$a" netns "$E2E_NS/$b.net"
    nsenter --net="$E2E_NS/$a.net" ip addr add "${E2E_ADDR[$a]}/24" dev "to-$b"
    nsenter --net="$E2E_NS/$b.net" ip addr add "${E2E_ADDR[$b]}/24" dev "to-$a"
    nsenter --net="$E2E_NS/$a.net" ip link set "to-$b" up
    nsenter --net="$E2E_NS/$b.net" ip link set "to-$a" up
}

# e2e_install_hook HOST FILE: the hook must be in place before libvirtd
# starts (libvirt scans hooks/qemu.d only at start-up). A symbolic link (as
# the Debian package installs the hook) stays one, so libvirtd runs the hook
# the way it does on an installed host.
e2e_install_hook() {
    local dest
    dest=$(e2e_hostdir "$1")/etc-libvirt/hooks/qemu.d/50-tscgate
    if [ -L "$2" ]; then
        ln -s "$(readlink -f "$2")" "$dest"
    else
        install -m 0755 "$2" "$dest"
    fi
}

# e2e_host_start HOST: start libvirtd inside the host, wait for its socket.
e2e_host_start() {
    local h=$1 hd i
    hd=$(e2e_hostdir "$h")
    rm -f "$hd/run/libvirt/libvirtd.pid"
    setsid nsenter --net="$E2E_NS/$h.net" --mount="$E2E_NS/$h.mnt" --uts="$E2E_NS/$h.uts" \
        -- env -i PATH="$E2E_PATH" LC_ALL=C \
        libvirtd --listen --pid-file /run/libvirt/libvirtd.pid \
        </dev/null >>"$hd/libvirtd.out" 2>&1 &
    for i in $(seq 1 300); do
        if [ -S "$(e2e_sock "$h")" ] && vsh "$h" version >/dev/null 2>&1; then
            return 0
        fi
        sleep 0.1
    done
    e2e_log "e2e: libvirtd on $h did not come up; last output:"
    tail -n 20 "$hd/libvirtd.out" >&2 || :
    return 1
}

# e2e_host_pids HOST: PIDs of every process inside HOST's network namespace
# (libvirtd, QEMU, hooks): all of them were started by this harness.
e2e_host_pids() {
    local h=$1 ino p
    [ -e "$E2E_NS/$h.net" ] || return 0
    ino=$(stat -L -c %i "$E2E_NS/$h.net" 2>/dev/null) || return 0
    for p in /proc/[0-9]*; do
        [ "$(readlink "$p/ns/net" 2>/dev/null)" = "net:[$ino]" ] && printf '%s\n' "${p#/proc/}"
    done
    return 0
}

# e2e_kill_pids SIGNAL-WAIT PIDS...: TERM, wait up to 5 s, then KILL.
e2e_kill_pids() {
    local p left i
    [ $# -gt 0 ] || return 0
    kill -TERM "$@" 2>/dev/null || :
    for i in $(seq 1 50); do
        left=
        for p in "$@"; do kill -0 "$p" 2>/dev/null && left="$left $p"; done
        [ -z "$left" ] && return 0
        sleep 0.1
    done
    # shellcheck disable=SC2086
    kill -KILL $left 2>/dev/null || :
    sleep 0.2
}

# e2e_host_stop_daemon HOST: end HOST's libvirtd only (guests keep running),
# for restart/reconnect tests.
e2e_host_stop_daemon() {
    local h=$1 pid i
    pid=$(cat "$(e2e_hostdir "$h")/run/libvirt/libvirtd.pid" 2>/dev/null) || return 1
    kill -TERM "$pid"
    for i in $(seq 1 100); do
        kill -0 "$pid" 2>/dev/null || return 0
        sleep 0.1
    done
    kill -KILL "$pid" 2>/dev/null || :
}

# e2e_teardown: always runs (EXIT trap).  Idempotent, never fails.
e2e_teardown() {
    local rc=$? h f
    [ "$E2E_TORN_DOWN" = 0 ] || return 0
    E2E_TORN_DOWN=1
    set +e
    trap - INT TERM HUP
    if [ -n "$E2E_TMP" ] && [ -d "$E2E_TMP" ]; then
        for h in "${E2E_HOSTS[@]}"; do
            # shellcheck disable=SC2046
            e2e_kill_pids $(e2e_host_pids "$h")
        done
        if [ -n "$E2E_NS" ] && mountpoint -q "$E2E_NS"; then
            for f in "$E2E_NS"/*; do
                mountpoint -q "$f" 2>/dev/null && umount "$f"
            done
            umount "$E2E_NS"
        fi
        if [ -n "${E2E_KEEP:-}" ]; then
            e2e_log "e2e: kept $E2E_TMP"
        else
            rm -rf "$E2E_TMP"
        fi
    fi
    return "$rc"
}
