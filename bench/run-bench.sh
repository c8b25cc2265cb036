#!/bin/sh
# SPDX-License-Identifier: LGPL-2.1-or-later
# `make bench`: the hook's cost per call, measured against an empty C
# program fed the same stdin, interleaved in one run (bench/bench-spawn.c:
# fork + execv, no shell). Goals: pass-through <= 1.5x the empty
# program, migrate gate <= 6x. Also instruction counts under callgrind when
# valgrind is installed, and hyperfine: -N --input when it has --input
# (>= 1.16), else through sh with the shell's start-up subtracted. Results go to doc/benchmarks.md by hand.
#
# Then the growth series: the gate with a realistic policy (40 rules, 60
# inventory hosts) and with 10/100/1,000/10,000 rules or inventory files
# (bench/gen-policy.sh), each against the empty program.
#
# Environment: ROUNDS (default 1000), GROWTH_ROUNDS (default 200; the
# 10,000 rows run a tenth of them), top_srcdir/top_builddir (set by make).
set -eu
: "${top_srcdir:=.}" "${top_builddir:=.}"
top_srcdir=$(cd "$top_srcdir" && pwd)
top_builddir=$(cd "$top_builddir" && pwd)
ROUNDS=${ROUNDS:-1000}
GROWTH_ROUNDS=${GROWTH_ROUNDS:-200}
EMPTY=$top_builddir/bench/empty
SPAWN=$top_builddir/bench/bench-spawn
HOOK=$top_builddir/hooks/tscgate-hook
GATE=$top_builddir/hooks/tscgate-gate
DOMAIN=$top_srcdir/tests/fixtures/domains/paravirt.xml
POLICY=$top_srcdir/xml/examples/homogeneous-cluster.xml

W=$(mktemp -d "${TMPDIR:-/tmp}/tscgate-bench.XXXXXX")
trap 'rm -rf "$W"' EXIT INT TERM
mkdir -m 755 "$W/conf" "$W/conf-policy"
if [ -r "$POLICY" ]; then
    cp "$POLICY" "$W/conf-policy/policy.xml"
    chmod 644 "$W/conf-policy/policy.xml"
fi

# The environment libvirt gives a hook, plus the build-tree overrides.
envrun() {
    conf=$1; shift
    env -i LC_ALL=C PATH=/usr/sbin:/usr/bin:/sbin:/bin \
        TSCGATE_GATE="$GATE" TSCGATE_CONFIG_DIR="$conf" TSCGATE_RUNTIME_DIR="$W/run" \
        TSCGATE_TRUST_UID="$(id -u)" TSCGATE_JOURNAL_SOCKET="$W/no-journal" "$@"
}

echo "tscgate hook benchmark: $(date -u '+%Y-%m-%d %H:%M UTC'), $(uname -n), $(uname -r)"
echo "CPU: $(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -1), $(nproc) CPUs"
echo "stdin: $DOMAIN ($(wc -c < "$DOMAIN") bytes); rounds: $ROUNDS (interleaved)"
# Warm the per-boot probe cache first: what every migration but the first sees.
envrun "$W/conf" "$HOOK" web2 migrate begin - < "$DOMAIN" > /dev/null || true
echo
echo "== default settings (no policy.xml), probe cache warm"
envrun "$W/conf" "$SPAWN" -r "$ROUNDS" "$DOMAIN" \
    "$EMPTY" -- "$HOOK" web2 started begin - -- "$HOOK" web2 migrate begin -
if [ -r "$W/conf-policy/policy.xml" ]; then
    echo
    echo "== with policy.xml ($(basename "$POLICY")), probe cache warm"
    envrun "$W/conf-policy" "$SPAWN" -r "$ROUNDS" "$DOMAIN" \
        "$EMPTY" -- "$HOOK" web2 started begin - -- "$HOOK" web2 migrate begin -
fi

# growth NAME RULES HOSTS ROUNDS: the gate with a generated policy.
growth() {
    "$top_srcdir/bench/gen-policy.sh" "$W/$1" "$2" "$3"
    chmod 755 "$W/$1"
    envrun "$W/$1" "$SPAWN" -r "$4" -w 3 "$DOMAIN" \
        "$EMPTY" -- "$HOOK" web2 migrate begin - | sed -n '2,$p' |
        awk -v label="gate: $2 rules, $3 inventory files" '/^tscgate-hook/ {
            printf "%-60s %9s %9s %9s %7s %5s\n", label, $6, $7, $8, $9, $10; next } 1'
}
echo
echo "== growth (probe cache warm; ratio = gate median / empty median)"
echo "command (stdin: FILE)                                          min_us median_us   mean_us   ratio  exit"
growth realistic 40 60 "$GROWTH_ROUNDS"
for n in 10 100 1000 10000; do
    r=$GROWTH_ROUNDS
    [ "$n" -lt 10000 ] || r=$(( (GROWTH_ROUNDS + 9) / 10 ))
    growth "rules-$n" "$n" 0 "$r"
    growth "hosts-$n" 1 "$n" "$r"
done

if command -v valgrind >/dev/null 2>&1; then
    echo
    echo "== instructions (callgrind, Ir, one run each)"
    for c in "empty:$EMPTY" "pass-through:$HOOK web2 started begin -" \
             "gate:$HOOK web2 migrate begin -" ; do
        name=${c%%:*} cmd=${c#*:}
        # shellcheck disable=SC2086
        ir=$(envrun "$W/conf" valgrind --tool=callgrind --trace-children=yes \
                 --callgrind-out-file="$W/cg.%p" $cmd < "$DOMAIN" 2>&1 >/dev/null |
             sed -n 's/.*Collected : *\([0-9][0-9]*\).*/\1/p; s/.*I *refs: *\([0-9,]*\).*/\1/p' |
             tr -d , | awk '{s += $1} END {print s}')
        printf '%-14s %12s Ir\n' "$name" "$ir"
    done
    # The realistic policy of the growth series, its compiled cache warm.
    ir=$(envrun "$W/realistic" valgrind --tool=callgrind --trace-children=yes \
             --callgrind-out-file="$W/cg.%p" "$HOOK" web2 migrate begin - < "$DOMAIN" 2>&1 >/dev/null |
         sed -n 's/.*Collected : *\([0-9][0-9]*\).*/\1/p; s/.*I *refs: *\([0-9,]*\).*/\1/p' |
         tr -d , | awk '{s += $1} END {print s}')
    printf '%-14s %12s Ir\n' "gate, 40/60" "$ir"
fi

if command -v hyperfine >/dev/null 2>&1 && hyperfine --help 2>/dev/null | grep -q -- '--input'; then
    echo
    echo "== hyperfine -N --input (sequential, for comparison)"
    envrun "$W/conf" hyperfine -N --input "$DOMAIN" --warmup 50 --runs "$ROUNDS" -i \
        "$EMPTY" "$HOOK web2 started begin -" "$HOOK web2 migrate begin -"
elif command -v hyperfine >/dev/null 2>&1; then
    # hyperfine < 1.16 has no --input: each command runs through
    # `bench-spawn -x FILE CMD` (open FILE as stdin, exec CMD), the same
    # extra exec for all three, so compare differences, not ratios.
    echo
    echo "== hyperfine -N via 'bench-spawn -x FILE CMD' (sequential; one extra exec each)"
    envrun "$W/conf" hyperfine -N --warmup 50 --runs "$ROUNDS" -i --style basic \
        "$SPAWN -x $DOMAIN $EMPTY" "$SPAWN -x $DOMAIN $HOOK web2 started begin -" \
        "$SPAWN -x $DOMAIN $HOOK web2 migrate begin -" 2>&1 |
        sed "s|$top_builddir/||g; s|$top_srcdir/||g" | grep -v '^ *Warning\|^ *$'
fi
