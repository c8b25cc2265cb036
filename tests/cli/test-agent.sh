#!/bin/sh
# SPDX-License-Identifier: LGPL-2.1-or-later
# `tscgate agent` against libvirt's test driver (test:///FILE, no daemon,
# no root): usage errors, --once, the event loop ending cleanly on SIGTERM
# and SIGINT.  Boot records on real guests are the e2e stage's
# (tests/e2e/scenarios/14-*.sh ... 17-*.sh).
. "${top_builddir:-.}/tests/test-lib.sh"
tg_workdir
TG_BIN=$TG_BUILDDIR/src/cli/tscgate
tg=$(tg_wrap tscgate "$TG_BIN")
"$TG_BIN" --help | grep -q '^  agent ' || tg_skip_all "tscgate built without libvirt (no agent)"
NODE=test://$TG_FIXTURES/domains/agent-test-driver.xml
TSCGATE_RUNTIME_DIR=$WORK/run TSCGATE_JOURNAL_SOCKET=$WORK/no-journal
export TSCGATE_RUNTIME_DIR TSCGATE_JOURNAL_SOCKET
out=$WORK/out err=$WORK/err log=$WORK/agent.log

run() { _rc=0; "$tg" agent "$@" >"$out" 2>"$err" </dev/null || _rc=$?; }

run extra
tg_check "an argument: exit 2" test "$_rc" = 2
tg_check "an argument: one line naming it" \
    test "$(cat "$err")" = "tscgate agent: unexpected argument 'extra'"

run --once --connect test:///nonexistent/node.xml
tg_check "--once, no libvirt there: exit 2" test "$_rc" = 2
tg_check "--once, no libvirt there: one error line" test "$(wc -l <"$err")" = 1
tg_check "--once, no libvirt there: names the URI" \
    grep -q '^tscgate agent: cannot connect to test:///nonexistent/node.xml: ' "$err"

run --once --connect "$NODE" --audit-file "$log"
tg_check "--once: exit 0" test "$_rc" = 0
tg_check "--once: nothing on stdout or stderr" test ! -s "$out" -a ! -s "$err"
tg_diag "$(cat "$log" 2>/dev/null)"
# The test driver says "running (unknown)" and has no QEMU process: not
# shown to have booted here, so no record and a record saying so.
for g in agent-a agent-b; do
    tg_check "--once: $g stays unknown, said once" \
        test "$(grep -c "guest=$g .*op=agent-adopt outcome=unknown" "$log")" = 1
done
tg_check "--once: the guest without a TSC is left alone" sh -c "! grep -q 'guest=agent-arm ' '$log'"
tg_check "--once: nothing written" sh -c "! grep -q 'outcome=recorded' '$log'"

# The event loop: connected, then a signal ends it with status 0.
for sig in TERM INT; do
    rm -f "$log"
    "$TG_BIN" agent --connect "$NODE" --audit-file "$log" </dev/null >"$out" 2>"$err" &
    pid=$!
    i=0
    while [ $i -lt 100 ] && ! grep -q 'outcome=connected' "$log" 2>/dev/null; do
        sleep 0.1
        i=$((i + 1))
    done
    tg_check "SIG$sig: connected first" grep -q 'op=agent-connection outcome=connected' "$log"
    kill -"$sig" "$pid"
    rc=0
    wait "$pid" || rc=$?
    tg_check "SIG$sig: exit 0" test "$rc" = 0
    tg_check "SIG$sig: its last record says so" sh -c "tail -n 1 '$log' | grep -q 'outcome=stopped'"
    tg_check "SIG$sig: nothing on stderr" test ! -s "$err"
done
tg_done
