#!/bin/sh
# SPDX-License-Identifier: LGPL-2.1-or-later
# Replay every committed fuzz corpus file and every crash reproducer
# (tests/fuzz/regressions/TARGET/*) through the fuzz targets linked with the
# gcc-built code (tests/fuzz/replay-TARGET, see tests/fuzz.am). A target
# fails when any input crashes it, trips a sanitizer or a fuzz invariant.
. "${top_builddir:-.}/tests/test-lib.sh"
tg_workdir
top_srcdir=$TG_SRCDIR
export top_srcdir

for t in guest hostfacts policy; do
    bin=$TG_BUILDDIR/tests/fuzz/replay-$t
    if [ ! -x "$bin" ]; then
        tg_not_ok "$t: $bin not built"
        continue
    fi
    set -- "$TG_SRCDIR/tests/fuzz/corpus/$t"
    [ -d "$TG_SRCDIR/tests/fuzz/regressions/$t" ] && set -- "$@" "$TG_SRCDIR/tests/fuzz/regressions/$t"
    cmd=$(tg_wrap "replay-$t" "$bin")
    if out=$("$cmd" "$@" 2>&1); then
        tg_ok "$t: $(printf '%s\n' "$out" | tail -n 1)"
    else
        tg_not_ok "$t"
        tg_diag "$(printf '%s\n' "$out" | tail -n 30)"
    fi
done
tg_done
