#!/bin/sh
# SPDX-License-Identifier: LGPL-2.1-or-later
# What the guest controls never selects fail-open, and nothing the gate
# writes waits past its deadline. Run as libvirt runs the hook:
#  - a domain XML the gate refuses (a foreign <metadata> element with too
#    many attributes, too many elements, too many namespaces: all of which
#    a guest's owner can set with `virsh metadata`) and wrong arguments are
#    denied even where the policy says fail-open;
#  - a deadline while the domain XML is being read or parsed is denied too,
#    while a deadline while this host's facts are gathered still is
#    fail-open;
#  - a stdout or stderr pipe that nobody reads (libvirt's end full) is
#    given up at the deadline, the record logged, the operation denied.
# Every run is bounded by `timeout` (exit 124).
. "${top_srcdir:-.}/tests/hook/lib.sh"

HELPER=$top_builddir/tests/hook/hostile-helper
[ -x "$HELPER" ] || tg_skip_all "tests/hook/hostile-helper not built"

GUEST=$FIX/domains/explicit-2100.xml
UUID=6f0f8a64-0c1e-4f4d-9d0b-2f6c1a7b8e01
PREFIX="tscgate: guest 'web1' migrate denied (fail-closed)"
PREFIX_UUID="tscgate: guest 'web1' ($UUID) migrate denied (fail-closed)"
LIMIT=${REDTEAM_LIMIT:-30}
SLOW=6     # default deadline (5 s) plus a second
DEADLINE=1
FAST=3     # DEADLINE, the second stderr may take after it, rounding
if [ -n "${TSCGATE_VALGRIND:-}" ]; then
    SLOW=60 DEADLINE=5 FAST=30
fi
FAIL_OPEN='<policy xmlns="urn:tscgate:policy:1" version="1">
  <failure>fail-open</failure>
</policy>'

# fail_open_config NAME [HOST_FIXTURE] [DEADLINE]: new_config with a
# fail-open policy, and the deadline when given.
fail_open_config() {
    _c=$(new_config "$1" "${2:-}")
    if [ $# -ge 3 ]; then
        printf '[hook]\naudit-file=%s\ndeadline=%s\n' "$WORK/$1.audit" "$3" > "$_c/hook.conf"
    fi
    printf '%s\n' "$FAIL_OPEN" > "$_c/policy.xml"
    chmod 644 "$_c"/*
    echo "$_c"
}

# run_bounded CONFIG RUNTIME OUTPREFIX INPUT ARGS...: run_hook with $PRE (a
# command prefix) before the hook and the test's own bound; status in $rc,
# whole seconds in $took.
run_bounded() {
    _conf=$1 _run=$2 _o=$3 _in=$4
    shift 4
    rc=0
    _t0=$(date +%s)
    # shellcheck disable=SC2086
    env -i LC_ALL=C PATH=/usr/sbin:/usr/bin:/sbin:/bin HOME=/root \
        TSCGATE_CONFIG_DIR="$_conf" TSCGATE_RUNTIME_DIR="$_run" TSCGATE_GATE="$GATE_CMD" \
        TSCGATE_TRUST_UID="$MY_UID" TSCGATE_FAKE_NOW="$FAKE_NOW" \
        TSCGATE_JOURNAL_SOCKET="$WORK/no-journal" TSCGATE_SYSLOG_SOCKET="$WORK/no-syslog" \
        timeout "$LIMIT" ${PRE:-} "$HOOK" "$@" < "$_in" > "$_o.out" 2> "$_o.err" || rc=$?
    took=$(($(date +%s) - _t0))
}

in_time() { [ "$rc" -ne 124 ] && [ "$took" -le "${1:-$SLOW}" ] || { echo "  rc=$rc took=${took}s"; false; }; }
denied_one_line() {
    [ "$rc" -eq 1 ] && [ ! -s "$1.out" ] && [ "$(wc -l < "$1.err")" -eq 1 ] ||
        { echo "  rc=$rc stdout=$(wc -c < "$1.out")B stderr: $(head -c 600 "$1.err")"; false; }
}
has() { grep -qF -- "$2" "$1" || { echo "  $1 lacks: $2"; head -c 600 "$1"; echo; false; }; }

# with_metadata NAME TEXT: the explicit-2100 guest with TEXT added to its
# <metadata>, as `virsh metadata --set` adds it; prints the path.
with_metadata() {
    printf '%s\n' "$2" > "$WORK/$1.md"
    sed "/^  <metadata>\$/r $WORK/$1.md" "$GUEST" > "$WORK/$1.xml"
    echo "$WORK/$1.xml"
}

# --- the guest's own input refused: never fail-open ---
# (on a host that denies the guest; the metadata goes in at line 5)
attrs=$(awk 'BEGIN { printf "<x:big xmlns:x=\"urn:x\""; for (i = 0; i < 300; i++) printf " a%d=\"1\"", i; printf "/>" }')
in=$(with_metadata attrs "$attrs")
conf=$(fail_open_config attrs hostc-2596.xml)
run_bounded "$conf" "$WORK/attrs.run" "$WORK/attrs" "$in" web1 migrate begin -
tg_check "300 attributes, fail-open policy: denied, one line" denied_one_line "$WORK/attrs"
tg_check "300 attributes, fail-open policy: says why" one_line_equals "$WORK/attrs.err" \
    "$PREFIX: stdin:5: <x:big> has more than 256 attributes (tscgate's limit per element)"
tg_check "300 attributes, fail-open policy: logged as a fail-closed input error" \
    fields_are "$WORK/attrs.audit" reason=input-error outcome=denied fail_open=no
tg_check "300 attributes, fail-open policy: the record says why fail-open did not apply" \
    has "$WORK/attrs.audit" 'note="fail-open not applied: the failure is in the input libvirt passed (the guest'"'"'s domain XML or the arguments)"'

nodes=$(awk 'BEGIN { printf "<x:many xmlns:x=\"urn:x\">"; for (i = 0; i < 200001; i++) printf "<x:e/>"; printf "</x:many>" }')
in=$(with_metadata nodes "$nodes")
conf=$(fail_open_config nodes hostc-2596.xml)
run_bounded "$conf" "$WORK/nodes.run" "$WORK/nodes" "$in" web1 migrate begin -
tg_check "200,001 elements, fail-open policy: denied, one line" denied_one_line "$WORK/nodes"
tg_check "200,001 elements, fail-open policy: says why" one_line_equals "$WORK/nodes.err" \
    "$PREFIX: stdin:5: document has more than 200000 elements, comments and processing instructions (tscgate's limit)"
tg_check "200,001 elements, fail-open policy: logged as a fail-closed input error" \
    fields_are "$WORK/nodes.audit" reason=input-error outcome=denied fail_open=no

conf=$(fail_open_config usage hostc-2596.xml)
run_bounded "$conf" "$WORK/usage.run" "$WORK/usage" "$GUEST" web1 migrate
tg_check "wrong arguments, fail-open policy: denied, one line" denied_one_line "$WORK/usage"
tg_check "wrong arguments, fail-open policy: says why" one_line_equals "$WORK/usage.err" \
    "$PREFIX: wrong arguments: expected GUEST OP SUBOP EXTRA as libvirt passes them, got 2"
tg_check "wrong arguments, fail-open policy: logged as a fail-closed usage error" \
    fields_are "$WORK/usage.audit" reason=usage-error outcome=denied fail_open=no

# --- namespaces that made parsing outlast the deadline ---
# 250 nested elements declaring 250 namespaces each, then 1,500 elements
# with 250 prefixed attributes each (3.8 MB): libxml2 2.9 took 6-7 s, past
# the default deadline, whose answer was fail-open.
awk 'BEGIN {
    printf "<r:x xmlns:r=\"urn:r\">";
    for (d = 0; d < 250; d++) {
        printf "<r:e";
        for (i = 0; i < 250; i++) printf " xmlns:p%d=\"u\"", i;
        printf ">";
    }
    for (k = 0; k < 1500; k++) {
        printf "<r:s";
        for (i = 0; i < 250; i++) printf " r:a%d=\"\"", i;
        printf "/>";
    }
    for (d = 0; d < 250; d++) printf "</r:e>";
    printf "</r:x>\n";
}' > "$WORK/ns.md"
sed "/^  <metadata>\$/r $WORK/ns.md" "$GUEST" > "$WORK/ns.xml"
conf=$(fail_open_config ns hostc-2596.xml)
run_bounded "$conf" "$WORK/ns.run" "$WORK/ns" "$WORK/ns.xml" web1 migrate begin -
tg_check "namespace bomb, fail-open policy: answered in time" in_time
tg_check "namespace bomb, fail-open policy: denied, one line" denied_one_line "$WORK/ns"
tg_check "namespace bomb, fail-open policy: says why" one_line_equals "$WORK/ns.err" \
    "$PREFIX: stdin:5: document declares more than 128 namespaces (tscgate's limit)"
tg_check "namespace bomb, fail-open policy: logged as a fail-closed input error" \
    fields_are "$WORK/ns.audit" reason=input-error outcome=denied fail_open=no

# --- a deadline while this host's facts are gathered is still fail-open ---
# (a lock held on a cold probe cache makes the gate wait a second for it,
# then probe: past a one-second deadline)
if command -v flock > /dev/null 2>&1 && [ -z "${TSCGATE_VALGRIND:-}" ]; then
    conf=$(fail_open_config hostwait "" 1)
    run=$WORK/hostwait.run
    mkdir "$run"; chmod 700 "$run"
    ( exec 9< "$run"; flock -s 9; exec sleep 30 ) &
    holder=$!
    sleep 0.2
    run_bounded "$conf" "$run" "$WORK/hostwait" "$GUEST" web1 migrate begin -
    kill "$holder" 2>/dev/null; wait "$holder" 2>/dev/null || true
    tg_check "deadline gathering host facts, fail-open policy: allowed unchanged, silent" \
        silent "$rc" "$WORK/hostwait"
    tg_check "deadline gathering host facts, fail-open policy: logged loudly" \
        fields_are "$WORK/hostwait.audit" reason=deadline outcome=allowed fail_open=yes priority=2
    phase=$(sed -n 's/.* phase="\([^"]*\)".*/\1/p' "$WORK/hostwait.audit")
    tg_check "deadline gathering host facts: the phase is this host's ($phase)" \
        [ "$phase" = "reading the probe cache" -o "$phase" = "probing /dev/kvm" ]
else
    tg_ok "deadline gathering host facts # SKIP needs flock(1), not under valgrind"
fi

# --- a stdout pipe nobody reads ---
# (an allowed guest whose domain XML, with its new lineage record, goes to
# stdout; libvirt's end of the pipe is full)
conf=$(new_config fullout hostb-2100.xml)
printf '[hook]\naudit-file=%s\ndeadline=%s\n' "$WORK/fullout.audit" "$DEADLINE" > "$conf/hook.conf"
PRE="$HELPER full-pipe 1" \
    run_bounded "$conf" "$WORK/fullout.run" "$WORK/fullout" "$GUEST" web1 migrate begin -
tg_check "full stdout pipe: answered in time" in_time "$FAST"
tg_check "full stdout pipe: denied (fail-closed)" [ "$rc" -eq 1 ]
tg_check "full stdout pipe: says why" one_line_equals "$WORK/fullout.err" \
    "$PREFIX_UUID: no answer within $DEADLINE s: still writing the domain XML to stdout"
tg_check "full stdout pipe: the record is logged" \
    fields_are "$WORK/fullout.audit" reason=deadline outcome=denied fail_open=no
tg_check "full stdout pipe: the record names the phase" \
    has "$WORK/fullout.audit" 'phase="writing the domain XML to stdout"'

# The same with a fail-open policy: once stdout is being written, the
# domain cannot be "allowed unchanged" any more.
conf=$(fail_open_config fulloutfo hostb-2100.xml "$DEADLINE")
PRE="$HELPER full-pipe 1" \
    run_bounded "$conf" "$WORK/fulloutfo.run" "$WORK/fulloutfo" "$GUEST" web1 migrate begin -
tg_check "full stdout pipe, fail-open policy: answered in time" in_time "$FAST"
tg_check "full stdout pipe, fail-open policy: denied (fail-closed)" [ "$rc" -eq 1 ]
tg_check "full stdout pipe, fail-open policy: logged" \
    fields_are "$WORK/fulloutfo.audit" reason=deadline outcome=denied fail_open=no

# --- a stderr pipe nobody reads ---
# (a denied guest: its one line cannot be written)
conf=$(new_config fullerr hostc-2596.xml)
printf '[hook]\naudit-file=%s\ndeadline=%s\n' "$WORK/fullerr.audit" "$DEADLINE" > "$conf/hook.conf"
PRE="$HELPER full-pipe 2" \
    run_bounded "$conf" "$WORK/fullerr.run" "$WORK/fullerr" "$GUEST" web1 migrate begin -
tg_check "full stderr pipe: answered in time" in_time "$FAST"
tg_check "full stderr pipe: denied" [ "$rc" -eq 1 ]
tg_check "full stderr pipe: the record is logged" \
    fields_are "$WORK/fullerr.audit" reason=explicit-outside-tolerance outcome=denied

tg_done
