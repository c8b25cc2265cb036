#!/bin/sh
# SPDX-License-Identifier: LGPL-2.1-or-later
# `make bench`, second part: `tscgate plan` at fleet scale. Goals: 1,000
# guests x 1,000 hosts from files, JSON out, in <= 5 s on one core; 10^7
# pair evaluations per second per core in the engine alone
# (bench/bench-plan.c). Everything runs pinned to one CPU when taskset is
# there. Results go to doc/benchmarks.md by hand.
#
# Environment: PLAN_GUESTS, PLAN_HOSTS (default 1000 each), top_srcdir,
# top_builddir (set by make).
set -eu
: "${top_srcdir:=.}" "${top_builddir:=.}"
top_builddir=$(cd "$top_builddir" && pwd)
NG=${PLAN_GUESTS:-1000}
NH=${PLAN_HOSTS:-1000}
BENCH=$top_builddir/bench/bench-plan
TG=$top_builddir/src/cli/tscgate
one=
if command -v taskset >/dev/null 2>&1 && taskset -c 0 true 2>/dev/null; then
    one="taskset -c 0"
fi

W=$(mktemp -d "${TMPDIR:-/tmp}/tscgate-bench-plan.XXXXXX")
trap 'rm -rf "$W"' EXIT INT TERM

echo
echo "tscgate plan benchmark: $(date -u '+%Y-%m-%d %H:%M UTC'), $(uname -n), one core${one:+ ($one)}"
echo "CPU: $(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -1)"
echo
echo "== the engine alone ($NG guests x $NH hosts, in memory)"
$one "$BENCH" -g "$NG" -H "$NH"

"$BENCH" -w "$W/fleet" -g "$NG" -H "$NH"
echo
echo "== tscgate plan --domain DIR --host DIR --json > FILE ($NG guest files, $NH host files)"
# ms since the epoch, from date's nanoseconds
now() { date +%s%N | sed 's/......$//'; }
for what in "--json" "--json --no-pins" "--json --reasons" "--csv" ""; do
    t0=$(now)
    rc=0
    # shellcheck disable=SC2086
    $one "$TG" plan --domain "$W/fleet/guests" --host "$W/fleet/hosts" $what > "$W/out" || rc=$?
    t1=$(now)
    printf '%-22s %6d ms  exit %d  %s bytes\n' "${what:-(table)}" $((t1 - t0)) "$rc" "$(wc -c < "$W/out")"
done
