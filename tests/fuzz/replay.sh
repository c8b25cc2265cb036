#!/bin/sh
# Replay every committed fuzz corpus file and every crash reproducer
# (tests/fuzz/regressions/TARGET/*) through the fuzz targets linked with the
# gcc-built code (tests/fuzz/replay-TARGET, see tests/fuzz.am). A target
# fails when any input crashes it, trips a sanitizer or a fuzz invariant.
set -eu

top_srcdir=${top_srcdir:-..}
top_builddir=${top_builddir:-.}
export top_srcdir

wrap=
if [ -n "${TSCGATE_VALGRIND:-}" ] && command -v valgrind >/dev/null 2>&1; then
    wrap="valgrind --quiet --error-exitcode=99 --leak-check=full --errors-for-leak-kinds=definite"
fi

pass=0
fail=0
for t in guest hostfacts policy; do
    bin=$top_builddir/tests/fuzz/replay-$t
    if [ ! -x "$bin" ]; then
        echo "FAIL: $t: $bin not built"
        fail=$((fail + 1))
        continue
    fi
    set -- "$top_srcdir/tests/fuzz/corpus/$t"
    [ -d "$top_srcdir/tests/fuzz/regressions/$t" ] && set -- "$@" "$top_srcdir/tests/fuzz/regressions/$t"
    if out=$($wrap "$bin" "$@" 2>&1); then
        echo "PASS: $t: $(printf '%s\n' "$out" | tail -n 1)"
        pass=$((pass + 1))
    else
        printf '%s\n' "$out" | tail -n 30
        echo "FAIL: $t"
        fail=$((fail + 1))
    fi
done
echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
