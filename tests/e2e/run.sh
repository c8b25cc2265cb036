#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# tests/e2e/run.sh: tscgate end to end, with real libvirt daemons, real
# QEMU guests and real `virsh migrate --live` / `virsh save` + `restore`
# between two libvirt hosts on this machine.
#
# Run by `make check` (top_srcdir/top_builddir from the environment) or by
# hand: `sudo tests/e2e/run.sh [SCENARIO-GLOB]`.  Builds and installs
# tscgate into a staging prefix from a fresh configure of $top_srcdir (the
# hook's paths are compiled in), brings up hosts "hosta" and "hostb" (see
# lib.sh), installs the staged hook into each host's hooks/qemu.d before its
# libvirtd starts, runs every scenario in tests/e2e/scenarios/ and tears
# everything down, also on failure or Ctrl-C.
#
# Output is TAP (automake's TAP driver): one line per scenario, "1..0 #
# SKIP reason" when the whole e2e stage cannot run here. Exit: 0 all
# scenarios passed or were skipped individually (with a reason), 1 a
# scenario failed or the harness broke.  Environment: E2E_KEEP=1 keeps the
# temporary tree for inspection; E2E_VERBOSE=1 prints every scenario's log;
# E2E_FORCE_TCG=1 runs the guests with TCG (domain type qemu) even with KVM.
# E2E_INSTALLED=1 tests the installed package instead of a private build:
# the hook at /etc/libvirt/hooks/qemu.d/50-tscgate (as dpkg or rpm put it,
# E2E_INSTALLED_HOOK overrides the path), the gate it runs (compiled into
# it, e.g. /usr/libexec/tscgate-gate), its configuration directory
# /etc/tscgate (E2E_INSTALLED_CONFDIR), and the tscgate CLI from PATH.

# bash is required (arrays, pipefail); `make check-valgrind` runs *.sh
# tests with $SHELL, which may be dash.
if [ -z "${BASH_VERSION:-}" ]; then exec bash "$0" "$@"; fi
set -euo pipefail
PATH=/usr/sbin:/usr/bin:/sbin:/bin:$PATH
export PATH

E2E_DIR=$(cd "$(dirname "$0")" && pwd)
: "${top_srcdir:=$(cd "$E2E_DIR/../.." && pwd)}"
top_srcdir=$(cd "$top_srcdir" && pwd)
E2E_SCHEMA_DIR=${LIBVIRT_SCHEMA_DIR:-/usr/share/libvirt/schemas}

skip() { echo "1..0 # SKIP e2e: $*"; exit 0; }

# ---- can the e2e stage run here at all? ---------------------------------
[ "$(id -u)" = 0 ] || skip "needs root (network/mount namespaces, libvirtd)"
for c in libvirtd virsh unshare nsenter ip xmllint setsid mountpoint timeout; do
    command -v "$c" >/dev/null 2>&1 || skip "$c not installed"
done
if [ -n "${E2E_INSTALLED:-}" ]; then
    E2E_HOOK=${E2E_INSTALLED_HOOK:-/etc/libvirt/hooks/qemu.d/50-tscgate}
    E2E_CONFDIR=${E2E_INSTALLED_CONFDIR:-/etc/tscgate}
    [ -x "$E2E_HOOK" ] || skip "E2E_INSTALLED: no installed hook at $E2E_HOOK"
    [ -d "$E2E_CONFDIR" ] || skip "E2E_INSTALLED: no configuration directory $E2E_CONFDIR"
else
    for c in make cc; do
        command -v "$c" >/dev/null 2>&1 || skip "$c not installed"
    done
fi
E2E_EMULATOR=$(command -v qemu-system-x86_64 2>/dev/null) || skip "qemu-system-x86_64 not installed"
[ -e /usr/lib/x86_64-linux-gnu/libvirt/connection-driver/libvirt_driver_qemu.so ] ||
    ls /usr/lib*/libvirt/connection-driver/libvirt_driver_qemu.so >/dev/null 2>&1 ||
    ls /usr/lib*/*/libvirt/connection-driver/libvirt_driver_qemu.so >/dev/null 2>&1 ||
    skip "libvirt's QEMU driver not installed (libvirt-daemon-driver-qemu)"
# libvirt 9.0's QEMU driver resolves its compiled-in user before reading
# qemu.conf; the account normally comes from libvirt-daemon-system.
getent passwd libvirt-qemu >/dev/null 2>&1 ||
    skip "no libvirt-qemu account (libvirt's QEMU driver needs it; .ci/install-deps creates it)"
[ -r "$E2E_SCHEMA_DIR/domain.rng" ] || skip "libvirt schemas not found in $E2E_SCHEMA_DIR"
unshare --net --mount --uts true 2>/dev/null || skip "unshare of net/mount/uts namespaces not permitted"
[ -n "${E2E_INSTALLED:-}" ] || [ -x "$top_srcdir/configure" ] ||
    skip "$top_srcdir/configure missing (run autoreconf -fi)"
if [ -z "${E2E_FORCE_TCG:-}" ] && [ -c /dev/kvm ] && [ -r /dev/kvm ] && [ -w /dev/kvm ]; then
    E2E_DOMTYPE=kvm
else
    E2E_DOMTYPE=qemu   # TCG
fi

# shellcheck source=tests/e2e/lib.sh
. "$E2E_DIR/lib.sh"
# shellcheck source=tests/e2e/helpers.sh
. "$E2E_DIR/helpers.sh"

T_START=$(date +%s)
e2e_init

# ---- stage: configure + make install into a private prefix ---------------
# The hook looks for the gate in $(libexecdir) and the gate for its
# configuration in $(sysconfdir)/tscgate: both are compiled in, so the
# staged build gets its own configure.  runstatedir=/run is private per host.
STAGE=$E2E_TMP/stage
stage_build() {
    local src=$top_srcdir b=$E2E_TMP/build
    if [ -e "$src/config.status" ]; then
        # In-tree build: configure refuses a second, VPATH build of it.
        mkdir "$E2E_TMP/src"
        # Other tests of a parallel `make check` write their logs and scratch
        # files meanwhile: leave logs out and accept GNU tar's exit 1 ("file
        # changed as we read it"); distclean below drops the build products.
        (cd "$src" && { tar --exclude=./.git --exclude='*.log' --exclude='*.trs' \
            --warning=no-file-changed --warning=no-file-removed --ignore-failed-read \
            -cf - . || [ $? -eq 1 ]; }) | (cd "$E2E_TMP/src" && tar -xf -)
        (cd "$E2E_TMP/src" && make distclean) >/dev/null 2>&1 || :
        src=$E2E_TMP/src
    fi
    mkdir "$b"
    (
        unset MAKEFLAGS MFLAGS MAKELEVEL MAKEOVERRIDES DESTDIR
        cd "$b"
        # --enable-test-seams: a scenario sets a host's adjtimex(2) result
        # (src/host/tg-probe.c); never in a package.
        "$src/configure" --prefix="$STAGE" --sysconfdir="$STAGE/etc" \
            --with-libvirt-hookdir="$STAGE/etc/libvirt/hooks/qemu.d" \
            --localstatedir=/var --runstatedir=/run --disable-dependency-tracking \
            --enable-test-seams
        make -j2 install
    ) >"$E2E_TMP/stage.log" 2>&1 || {
        echo "e2e: staging build failed; last lines of its log:"
        tail -n 25 "$E2E_TMP/stage.log"
        return 1
    }
}
if [ -n "${E2E_INSTALLED:-}" ]; then
    # The package as installed: nothing is built; the hosts' private
    # directories are bound over the real configuration directory inside
    # their mount namespaces only.
    E2E_CLI=$(command -v tscgate 2>/dev/null) || E2E_CLI=
    echo "e2e: testing the installed hook $E2E_HOOK$( [ -L "$E2E_HOOK" ] && printf ' -> %s' "$(readlink -f "$E2E_HOOK")"), configuration $E2E_CONFDIR, CLI ${E2E_CLI:-none}"
else
    stage_build
    E2E_HOOK=$STAGE/etc/libvirt/hooks/qemu.d/50-tscgate
    [ -x "$E2E_HOOK" ] || { echo "e2e: make install did not install the hook ($E2E_HOOK)"; exit 1; }
    E2E_CLI=
    for c in "$STAGE/bin/tscgate" "$STAGE/sbin/tscgate"; do
        if [ -x "$c" ]; then E2E_CLI=$c; fi
    done
    E2E_CONFDIR=$STAGE/etc/tscgate
    mkdir -p "$E2E_CONFDIR"
fi
T_STAGED=$(date +%s)

# ---- hosts ------------------------------------------------------------
e2e_host_create hosta 192.0.2.1 "$E2E_CONFDIR"
e2e_host_create hostb 192.0.2.2 "$E2E_CONFDIR"
e2e_write_etc_hosts
e2e_link hosta hostb
for h in hosta hostb; do e2e_install_hook "$h" "$E2E_HOOK"; done
e2e_reset
e2e_host_start hosta &
pa=$!
e2e_host_start hostb &
pb=$!
wait "$pa" && wait "$pb" || { echo "e2e: a libvirtd did not start"; exit 1; }
T_UP=$(date +%s)

HOST_HZ=$(caps_counter hosta frequency)
HOST_SCALING=$(caps_counter hosta scaling)
echo "e2e: domain type $E2E_DOMTYPE; host TSC from virsh capabilities: ${HOST_HZ:-none} Hz, scaling ${HOST_SCALING:-unknown}"
echo "e2e: staging build $((T_STAGED - T_START)) s, hosts up $((T_UP - T_STAGED)) s"

# ---- scenarios --------------------------------------------------------
pass=0 failn=0 skipn=0
failed=() skipped=()
glob=${1:-[0-9]*}
for f in "$E2E_DIR"/scenarios/$glob.sh; do
    [ -e "$f" ] || continue
    name=$(basename "$f" .sh)
    e2e_reset
    log=$E2E_TMP/scenario-$name.log
    t0=$(date +%s)
    set +e
    (
        set -euo pipefail
        # Leave at once on Ctrl-C even when the running virsh catches it.
        trap 'exit 130' INT
        trap 'exit 143' TERM
        # shellcheck disable=SC1090
        . "$f"
        scenario
    ) >"$log" 2>&1
    rc=$?
    set -e
    dt=$(($(date +%s) - t0))
    grep '^LIMITATION: ' "$log" | sed "s/^/    $name: /" || :
    case $rc in
        0)  pass=$((pass + 1)); echo "ok $((pass + skipn + failn)) - $name (${dt} s)"
            [ -z "${E2E_VERBOSE:-}" ] || sed 's/^/    /' "$log" ;;
        77) skipn=$((skipn + 1)); skipped+=("$name")
            echo "ok $((pass + skipn + failn)) - $name # SKIP $(grep '^SKIP: ' "$log" | tail -n1 | sed 's/^SKIP: //')" ;;
        *)  failn=$((failn + 1)); failed+=("$name"); echo "not ok $((pass + skipn + failn)) - $name (${dt} s)"
            sed 's/^/    /' "$log"
            for h in "${E2E_HOSTS[@]}"; do
                echo "    last libvirtd errors on $h:"
                tail -n 5 "$(e2e_hostdir "$h")/var-log/libvirt/libvirtd.log" 2>/dev/null | sed 's/^/      /' || :
            done ;;
    esac
done

T_END=$(date +%s)
echo "e2e: scenarios $((T_END - T_UP)) s, total $((T_END - T_START)) s before teardown"
[ "$skipn" = 0 ] || echo "skipped: ${skipped[*]}"
[ "$failn" = 0 ] || echo "failed: ${failed[*]}"
echo "$pass passed, $failn failed"
echo "1..$((pass + skipn + failn))"
[ "$failn" = 0 ] || exit 1
exit 0
